/**
 * Flashing a compressed disk image from where it is stored onto a block device, and the three
 * extension points that say where bytes come from, how they are encoded and where they go. Two
 * kinds of reader start at different places.
 *
 * <h2>A library user: calls</h2>
 *
 * <ol>
 *   <li>{@link io.github.s3flash.api.FlashPlan}: what to flash where, with an expected SHA-256 and
 *       {@link io.github.s3flash.api.Options} ({@code key=value}, the same keys as the command line's
 *       {@code -o}); {@link io.github.s3flash.api.ImageLocations#parse} turns what a user typed into a
 *       location.</li>
 *   <li>{@link io.github.s3flash.api.Flasher#flash}: runs the flash, reporting
 *       {@link io.github.s3flash.api.ProgressEvent}s to a {@link io.github.s3flash.api.ProgressListener},
 *       and returns a {@link io.github.s3flash.api.FlashResult}. Providers come from
 *       {@link io.github.s3flash.api.ProviderRegistry#load()} (every installed provider) or
 *       {@link io.github.s3flash.api.ProviderRegistry#of} (an explicit list).</li>
 *   <li>What can go wrong is a checked {@link io.github.s3flash.api.FlashException}: a refusal before
 *       the first write leaves the target unchanged; {@link io.github.s3flash.api.FlashAbortedException}
 *       means writing had begun; {@link io.github.s3flash.api.VerificationFailedException} means the
 *       written image is not the one expected.</li>
 * </ol>
 *
 * <p>Tooling that reads images without flashing them uses {@link io.github.s3flash.api.ImageStreams}
 * (the pinned, resumable, parallel stream the pipeline reads) and, for indexed images, the package
 * {@code io.github.s3flash.api.index}.
 *
 * <h2>A plugin author: implements</h2>
 *
 * <p>One of three service interfaces, each of at most four methods, provided from a JPMS module
 * ({@code provides io.github.s3flash.api.Codec with ...}) and in {@code META-INF/services}:
 *
 * <ul>
 *   <li>{@link io.github.s3flash.api.ImageSource}: opens a URI scheme's images as a
 *       {@link io.github.s3flash.api.PinnedImage}, whose ranges are read through a
 *       {@link io.github.s3flash.api.RangeInputStream}; {@link io.github.s3flash.api.SourceRequest}
 *       turns a server's error answer into the right exception. Retries, resumes and parallel ranges
 *       are the pipeline's, not the source's. A source that can store objects also implements
 *       {@link io.github.s3flash.api.ImageSource#publish} with a
 *       {@link io.github.s3flash.api.PublishStream}.</li>
 *   <li>{@link io.github.s3flash.api.Codec}: names a format, {@linkplain
 *       io.github.s3flash.api.Codec#probe probes} its first bytes ({@link io.github.s3flash.api.ProbeResult})
 *       and decodes (and encodes) streams; malformed input ends in
 *       {@link io.github.s3flash.api.CorruptImageException} with the byte offset.</li>
 *   <li>{@link io.github.s3flash.api.BlockSink}: accepts a target path and opens it as a
 *       {@link io.github.s3flash.api.BlockTarget} of a {@link io.github.s3flash.api.TargetGeometry},
 *       written in whole blocks at offsets.</li>
 * </ul>
 *
 * <p>A provider reads its settings from {@link io.github.s3flash.api.Options} with the typed getters
 * (a bad value is an {@link io.github.s3flash.api.InvalidOptionException}) and reports what the world
 * does with the checked exceptions of this package. The testkit module's contract tests
 * ({@code ImageSourceContract}, {@code CodecContract}, {@code BlockSinkContract}) hold a provider to
 * what every built-in provider is held to.
 *
 * <p>Built in: the {@code file:} source and the {@code raw} codec. The architecture, with the
 * pipeline's stages and the point of no return, is described in the repository's
 * {@code docs/architecture.md}.
 */
package io.github.s3flash.api;
