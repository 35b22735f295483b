package io.github.s3flash.bootloader.release;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Lets a decorator be closed (to finish its trailer) without closing the caller's stream: whoever opens, closes. */
final class OutputStreamGuard {

    private OutputStreamGuard() {}

    static OutputStream unclosable(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }
}
