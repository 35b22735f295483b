package io.github.s3flash.api.index;

import io.github.s3flash.api.sshsig.SshSignature;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Builds indexed objects for the reader's tests: the real manifest and footer encoders, but chunk
 * frames of random bytes (the index reader never decodes frames; decoding is tested with the real
 * codecs in their modules and through the CLI).
 */
final class IndexedObjects {

    /** A built object and where its parts are. */
    record Built(byte[] bytes, byte[] manifest, long manifestOffset, int signatureLength, int chunkShift) {
        long signatureOffset() {
            return manifestOffset + IndexFormat.FRAME_HEADER + manifest.length;
        }

        long footerOffset() {
            return bytes.length - IndexFormat.FOOTER_FRAME;
        }
    }

    private IndexedObjects() {}

    /** A random object: a chunk size of 2^16 or 2^17, up to {@code maxChunks} chunks, some zero. */
    static Built random(Random random, int maxChunks, SshSignature signature) {
        int shift = 16 + random.nextInt(2);
        long chunk = 1L << shift;
        int count = random.nextInt(maxChunks + 1);
        long length = count == 0 ? 0 : (count - 1) * chunk + 1 + random.nextInt((int) chunk);
        return build(random, shift, length, signature == null ? null : signature.armored());
    }

    static Built build(Random random, int shift, long imageLength, String armored) {
        long chunk = 1L << shift;
        int count = (int) ((imageLength + chunk - 1) >>> shift);
        var data = new ByteArrayOutputStream();
        data.writeBytes(IndexFormat.headFrame());
        byte[] records = new byte[count * IndexFormat.RECORD];
        for (int k = 0; k < count; k++) {
            int decoded = (int) Math.min(chunk, imageLength - k * chunk);
            boolean zero = random.nextInt(4) == 0;
            byte[] frame = new byte[1 + random.nextInt(200)];
            random.nextBytes(frame);
            byte[] sha = new byte[32];
            random.nextBytes(sha);
            Manifest.encodeRecord(records, k, data.size(), frame.length, zero,
                    zero ? IndexFormat.zeroSha256(decoded) : sha);
            data.writeBytes(frame);
        }
        long dataEnd = data.size();
        byte[] manifest = Manifest.encode(IndexFormat.CODEC_LZ4, shift, imageLength, dataEnd, records, count);
        byte[] signature = armored == null ? new byte[0] : armored.getBytes(StandardCharsets.US_ASCII);
        data.writeBytes(IndexFormat.frameHeader(manifest.length));
        data.writeBytes(manifest);
        if (signature.length > 0) {
            data.writeBytes(IndexFormat.frameHeader(signature.length));
            data.writeBytes(signature);
        }
        var footer = new Footer(dataEnd, manifest.length, signature.length, IndexFormat.sha256().digest(manifest));
        data.writeBytes(footer.encode());
        return new Built(data.toByteArray(), manifest, dataEnd, signature.length, shift);
    }
}
