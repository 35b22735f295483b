package io.github.s3flash.source.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceUnusableException;
import io.github.s3flash.testkit.ImageSourceContract;
import io.github.s3flash.testkit.S3rverServer;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The S3 source against the source contract on a second, independent S3 server, s3rver: it ignores
 * {@code If-Match}, so an image replaced after the pin is caught by the source's own check of every
 * answer's ETag, not by the server. And what s3rver does to a client that trusts the precondition it
 * sends: it overwrites an object in place while the new one arrives, answering with the old ETag
 * until the upload is complete. A read in that window gets new bytes under the old ETag, which no
 * check of the answer's headers can see; the check of the version after the last byte, once the
 * upload completed, does.
 */
class S3rverImageSourceContractTest extends ImageSourceContract {

    private static final int IN_PLACE_SIZE = 24 << 20;

    @TempDir
    static Path dir;

    static S3rverServer s3rver;

    @BeforeAll
    static void startServer() throws IOException {
        s3rver = S3rverServer.start(dir.resolve("s3rver"), S3Fixture.BUCKET);
    }

    @AfterAll
    static void stopServer() throws IOException {
        s3rver.close();
    }

    @Override
    protected ImageSource source() {
        return new S3ImageSource();
    }

    @Override
    protected URI store(String name, byte[] bytes) throws IOException {
        s3rver.put(S3Fixture.BUCKET, "contract/" + name, bytes);
        return S3Fixture.uri("contract/" + name);
    }

    @Override
    protected void replace(String name, URI uri, byte[] bytes) throws IOException {
        store(name, bytes);
    }

    @Override
    protected URI missing() {
        return S3Fixture.uri("contract/no-such-image.img");
    }

    @Override
    protected Options options() {
        return S3Fixture.options(s3rver.endpoint());
    }

    @Test
    void anObjectOverwrittenInPlaceDuringAReadIsASourceChangeNeverMixedBytes() throws IOException {
        byte[] pinned = TestImages.random(new Random(11), IN_PLACE_SIZE);
        byte[] replacement = TestImages.random(new Random(12), IN_PLACE_SIZE);
        s3rver.put(S3Fixture.BUCKET, "in-place.img", pinned);
        Options options = S3Fixture.options(s3rver.endpoint()).with("read.concurrency", "1").with("read.part-size", "1m");
        byte[] read = new byte[IN_PLACE_SIZE];
        Throwable failure;
        try (PinnedImage image = new S3ImageSource().open(S3Fixture.uri("in-place.img"), options);
                InputStream in = ImageStreams.open(image, PipelineSettings.from(options), ProgressListener.NONE)) {
            int got = in.readNBytes(read, 0, 1 << 20);
            try (OutputStream upload = s3rver.openPut(S3Fixture.BUCKET, "in-place.img")) {
                upload.write(replacement);
                upload.flush();
                awaitInPlace(s3rver.objectFile(S3Fixture.BUCKET, "in-place.img"), replacement);
                got += in.readNBytes(read, got, IN_PLACE_SIZE - 1 - got);
            }
            int done = got;
            failure = catchThrowable(() -> in.readNBytes(read, done, IN_PLACE_SIZE - done));
        }
        if (failure == null) {
            assertThat(read).as("bytes handed out without a failure must be the pinned version's").isEqualTo(pinned);
        }
        assertThat(failure).isInstanceOf(SourceChangedException.class).hasMessageContaining("ETag");
        assertThat(read).as("bytes of both versions were read: the window was real")
                .isNotEqualTo(pinned).isNotEqualTo(replacement);
    }

    /**
     * s3rver 3.7.1 reads {@code Range: bytes=0-0} as "from 0 to the end" (it takes an end of 0 for no
     * end) and answers 206 with the whole object. The source asks for exactly that range when it reads
     * the first byte alone, and must not hand out the whole object as that byte: it checks the answer's
     * Content-Range and refuses, naming both ranges.
     */
    @Test
    void aServerAnsweringAnotherRangeThanAskedIsRefused() throws IOException {
        byte[] bytes = TestImages.random(new Random(13), 4096);
        s3rver.put(S3Fixture.BUCKET, "first-byte.img", bytes);
        try (PinnedImage image = new S3ImageSource().open(S3Fixture.uri("first-byte.img"), options())) {
            Throwable failure = catchThrowable(() -> {
                try (InputStream in = image.openRange(0, 1)) {
                    in.readAllBytes();
                }
            });
            assertThat(failure).as("the object is as pinned: the store, not the object, is at fault")
                    .isInstanceOf(SourceUnusableException.class)
                    .hasMessageContaining("Content-Range bytes 0-4095/4096 but bytes 0-0/4096 was asked for")
                    .hasMessageContaining("the store does not answer ranges as asked");
            try (InputStream in = image.openRange(1, 1)) {
                assertThat(in.readAllBytes()).as("a one-byte range s3rver does answer as asked")
                        .containsExactly(bytes[1]);
            }
        }
    }

    /** Waits until s3rver has written all of {@code bytes} into the object's file, in place. */
    private static void awaitInPlace(Path file, byte[] bytes) throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        byte[] tail = Arrays.copyOfRange(bytes, bytes.length - 4096, bytes.length);
        while (System.nanoTime() < deadline) {
            if (Files.size(file) == bytes.length) {
                try (var channel = java.nio.channels.FileChannel.open(file)) {
                    var buffer = java.nio.ByteBuffer.allocate(tail.length);
                    channel.read(buffer, bytes.length - tail.length);
                    if (Arrays.equals(buffer.array(), tail)) {
                        return;
                    }
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for s3rver");
            }
        }
        throw new IOException("s3rver did not write the upload into " + file + " within 60 s: " + s3rver.log());
    }
}
