#!/usr/bin/env bash
# Publishes an EBS-backed AMI (or any block device or disk image) to S3 as a signed indexed image that
# s3flash flashes: the job of the original s3-flash-bootloader's examples/upload_ami_to_s3.sh, done
# with `s3flash image create`. Run it on an EC2 instance in the AMI's region whose role may describe
# images, create/attach/detach/delete volumes and write the bucket.
#
#   upload-ami-to-s3.sh [OPTIONS] AMI_ID s3://bucket/key
#   upload-ami-to-s3.sh [OPTIONS] --device PATH s3://bucket/key       (an attached volume, a disk image)
#
# Options:
#   --sign-key KEY     sign the manifest with this unencrypted OpenSSH key (see s3flash image sign for others)
#   --codec lz4|zstd   the frames' codec (default lz4); --level N, --chunk-size SIZE as s3flash image create
#   --volume-type T    type of the temporary volume (default gp3)
# Environment: S3FLASH (the s3flash command; default: s3flash on PATH), the aws CLI's AWS_* variables,
# EC2_INSTANCE_ID and EC2_AVAILABILITY_ZONE (default: from the instance metadata service, IMDSv2).
#
# With an AMI: the AMI's root snapshot becomes a temporary volume in this instance's availability
# zone, attached here, read once by s3flash (compressed on every core, streamed to S3 as a multipart
# upload that appears whole or not at all), then detached and deleted whatever happens (an EXIT trap):
# unlike the original, it does not leak the volume when a step fails.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
  exit 2
}
log() { echo "upload-ami-to-s3: $*" >&2; }

s3flash=${S3FLASH:-s3flash}
create_args=()
device=
volume_type=gp3
while [[ $# -gt 0 ]]; do
  case $1 in
    --sign-key|--codec|--level|--chunk-size) [[ $# -ge 2 ]] || usage; create_args+=("$1" "$2"); shift 2 ;;
    --device) [[ $# -ge 2 ]] || usage; device=$2; shift 2 ;;
    --volume-type) [[ $# -ge 2 ]] || usage; volume_type=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) log "unknown option $1"; usage ;;
    *) break ;;
  esac
done
if [[ -n $device ]]; then
  [[ $# -eq 1 ]] || usage
  target=$1
else
  [[ $# -eq 2 ]] || usage
  ami=$1
  target=$2
fi
[[ $target == s3://*/* ]] || { log "the target must be s3://bucket/key, not $target"; exit 2; }
command -v "$s3flash" >/dev/null || { log "$s3flash not found: put s3flash on PATH or set S3FLASH"; exit 2; }

volume=
cleanup() {
  [[ -n $volume ]] || return 0
  log "detaching and deleting $volume"
  aws ec2 detach-volume --volume-id "$volume" >/dev/null 2>&1 || true
  aws ec2 wait volume-available --volume-ids "$volume" || true
  aws ec2 delete-volume --volume-id "$volume" || log "could not delete $volume: delete it by hand"
}
trap cleanup EXIT

metadata() { # path: from IMDSv2
  local token
  token=$(curl -sf -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)
  curl -sf -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
}

if [[ -z $device ]]; then
  instance=${EC2_INSTANCE_ID:-$(metadata instance-id)}
  zone=${EC2_AVAILABILITY_ZONE:-$(metadata placement/availability-zone)}
  root=$(aws ec2 describe-images --image-ids "$ami" --query 'Images[0].RootDeviceName' --output text)
  snapshot=$(aws ec2 describe-images --image-ids "$ami" --output text \
    --query "Images[0].BlockDeviceMappings[?DeviceName=='$root'].Ebs.SnapshotId | [0]")
  [[ $snapshot == snap-* ]] || { log "AMI $ami has no EBS root snapshot (got '$snapshot')"; exit 3; }
  volume=$(aws ec2 create-volume --availability-zone "$zone" --snapshot-id "$snapshot" \
    --volume-type "$volume_type" --query VolumeId --output text \
    --tag-specifications "ResourceType=volume,Tags=[{Key=Name,Value=upload-ami-to-s3 $ami}]")
  log "volume $volume from $snapshot (root of $ami) in $zone"
  aws ec2 wait volume-available --volume-ids "$volume"
  # The first device name no block device mapping of this instance uses.
  used=$(aws ec2 describe-instances --instance-ids "$instance" --output text \
    --query 'Reservations[0].Instances[0].BlockDeviceMappings[].DeviceName')
  name=
  for letter in f g h i j k l m n o p; do
    [[ " $used " == *"/dev/sd$letter "* || " $used " == *"/dev/xvd$letter "* ]] || { name=/dev/sd$letter; break; }
  done
  [[ -n $name ]] || { log "no free device name on $instance"; exit 3; }
  aws ec2 attach-volume --volume-id "$volume" --instance-id "$instance" --device "$name" >/dev/null
  # Nitro instances show EBS volumes as NVMe devices named by the volume id; Xen ones as /dev/xvdX.
  nvme=/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volume/-/}
  for _ in $(seq 1 600); do
    for candidate in "$nvme" "$name" "${name/sd/xvd}"; do
      [[ -b $candidate ]] && { device=$(readlink -f "$candidate"); break 2; }
    done
    sleep 0.5
  done
  [[ -n $device ]] || { log "$volume attached as $name but no block device appeared"; exit 3; }
  log "$volume is $device"
fi

"$s3flash" image create --source "$device" --target "$target" "${create_args[@]}"
