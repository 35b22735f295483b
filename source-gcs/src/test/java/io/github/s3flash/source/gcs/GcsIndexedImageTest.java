package io.github.s3flash.source.gcs;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.index.Chunk;
import io.github.s3flash.api.index.ChunkDecoder;
import io.github.s3flash.api.index.ChunkProgress;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.api.index.IndexedImageWriter;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.testkit.CountingImage;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Indexed images through the gs:// source, on Google's in-process fake of GCS (see {@link FakeGcs}:
 * no emulator can run here): the index is found with one ranged read of the object's tail, chunks
 * are fetched and decoded alone by their ranges, and a detached signature beside the object is found
 * (or found missing).
 */
class GcsIndexedImageTest {

    private final FakeGcs gcs = new FakeGcs();
    private final GcsImageSource source = new GcsImageSource(options -> gcs.client());

    @Test
    void theIndexIsReadFromTheTailAndChunksByTheirRanges() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.random(new Random(seed), (1 << 20) + 12345);
        var object = new ByteArrayOutputStream();
        var lz4 = ProviderRegistry.load().codec("lz4");
        new IndexedImageWriter(lz4, WriterSettings.defaults().withChunkSize(64 << 10))
                .write(new ByteArrayInputStream(image), object, null, ChunkProgress.NONE);
        gcs.put("os.img.lz4", object.toByteArray());
        URI location = URI.create("gs://" + FakeGcs.BUCKET + "/os.img.lz4");

        try (PinnedImage pinned = source.open(location, Options.empty()); var counting = new CountingImage(pinned)) {
            IndexedImage index = IndexedImage.require(counting, RetryPolicy.DEFAULT);
            long length = object.size();
            assertThat(counting.ranges()).as(Seeds.describe(seed))
                    .containsExactly(new CountingImage.Range(length - (256 << 10), 256 << 10));
            assertThat(counting.bytesRead()).isEqualTo(256 << 10);
            assertThat(index.manifest().chunkCount()).isEqualTo(17);

            Chunk chunk = index.manifest().chunk(new Random(seed).nextInt(17));
            ByteBuffer into = ByteBuffer.allocateDirect(64 << 10);
            try (InputStream frame = pinned.openRange(chunk.compressedOffset(), chunk.compressedLength())) {
                ChunkDecoder.of(ProviderRegistry.load(), index.manifest()).decode(chunk, frame, into);
            }
            byte[] decoded = new byte[chunk.length()];
            into.flip().get(decoded);
            assertThat(decoded).as(chunk.describe() + ", " + Seeds.describe(seed))
                    .isEqualTo(Arrays.copyOfRange(image, (int) chunk.offset(), (int) chunk.end()));
        }

        URI detached = IndexedImage.detachedSignatureLocation(location);
        assertThat(detached).hasToString("gs://" + FakeGcs.BUCKET + "/os.img.lz4.sshsig");
        assertThat(IndexedImage.readDetachedSignature(source, detached, Options.empty())).isEmpty();
        gcs.put("os.img.lz4.sshsig", "-----BEGIN SSH SIGNATURE-----\n".getBytes());
        assertThat(IndexedImage.readDetachedSignature(source, detached, Options.empty())).hasValueSatisfying(
                text -> assertThat(new String(text)).startsWith("-----BEGIN SSH SIGNATURE-----"));
    }
}
