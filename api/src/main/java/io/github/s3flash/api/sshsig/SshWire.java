package io.github.s3flash.api.sshsig;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The SSH wire encoding (RFC 4251 §5): uint32, string, mpint, as OpenSSH's keys and signatures use
 * it. The reader never allocates more than the bytes it was given: every length is checked against
 * what remains before anything is copied, so a hostile length field fails with a message instead of
 * an allocation.
 */
final class SshWire {

    private SshWire() {}

    /** Malformed wire data; callers turn it into the checked error of their context. */
    static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;

        public FormatException(String message) {
            super(message);
        }
    }

    /** Reads fields from a byte array, front to back. Not thread-safe. */
    static final class Reader {
        private final byte[] data;
        private final int end;
        private int at;

        public Reader(byte[] data) {
            this(data, 0, data.length);
        }

        public Reader(byte[] data, int offset, int length) {
            java.util.Objects.checkFromIndexSize(offset, length, data.length);
            this.data = data;
            this.at = offset;
            this.end = offset + length;
        }

        public int remaining() {
            return end - at;
        }

        public boolean atEnd() {
            return at == end;
        }

        public byte[] bytes(int length, String what) throws FormatException {
            if (length < 0 || length > remaining()) {
                throw new FormatException(what + " needs " + Integer.toUnsignedString(length) + " bytes but only "
                        + remaining() + " remain");
            }
            byte[] out = Arrays.copyOfRange(data, at, at + length);
            at += length;
            return out;
        }

        public int uint32(String what) throws FormatException {
            if (remaining() < 4) {
                throw new FormatException(what + " is cut short: 4 bytes needed, " + remaining() + " remain");
            }
            int v = (data[at] & 0xFF) << 24 | (data[at + 1] & 0xFF) << 16 | (data[at + 2] & 0xFF) << 8
                    | (data[at + 3] & 0xFF);
            at += 4;
            return v;
        }

        public int uint8(String what) throws FormatException {
            if (remaining() < 1) {
                throw new FormatException(what + " is missing");
            }
            return data[at++] & 0xFF;
        }

        /** A length-prefixed byte string of at most {@code max} bytes. */
        public byte[] string(String what, int max) throws FormatException {
            int length = uint32(what + " length");
            if (length < 0 || length > max) {
                throw new FormatException(what + " is " + Integer.toUnsignedString(length)
                        + " bytes long, more than the " + max + " allowed");
            }
            return bytes(length, what);
        }

        /** A length-prefixed string that must be printable US-ASCII (names, namespaces, algorithms). */
        public String text(String what, int max) throws FormatException {
            byte[] raw = string(what, max);
            for (byte b : raw) {
                if (b < 0x20 || b > 0x7E) {
                    throw new FormatException(what + " holds a byte that is not printable ASCII (0x"
                            + Integer.toHexString(b & 0xFF) + ")");
                }
            }
            return new String(raw, StandardCharsets.US_ASCII);
        }

        /** A non-negative mpint of at most {@code maxBits} bits. */
        public BigInteger mpint(String what, int maxBits) throws FormatException {
            byte[] raw = string(what, maxBits / 8 + 1);
            if (raw.length > 0 && raw[0] < 0) {
                throw new FormatException(what + " is negative");
            }
            if (raw.length > 1 && raw[0] == 0 && raw[1] >= 0) {
                throw new FormatException(what + " has a superfluous leading zero byte");
            }
            BigInteger v = new BigInteger(1, raw);
            if (v.bitLength() > maxBits) {
                throw new FormatException(what + " has " + v.bitLength() + " bits, more than " + maxBits);
            }
            return v;
        }

        public void expectEnd(String what) throws FormatException {
            if (!atEnd()) {
                throw new FormatException(what + " has " + remaining() + " unexpected trailing bytes");
            }
        }
    }

    /** Writes fields into a growing array. Not thread-safe. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Writer raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        public Writer uint32(int v) {
            out.write(v >>> 24);
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        public Writer string(byte[] bytes) {
            uint32(bytes.length);
            out.writeBytes(bytes);
            return this;
        }

        public Writer text(String s) {
            return string(s.getBytes(StandardCharsets.US_ASCII));
        }

        public Writer mpint(BigInteger v) {
            return string(v.signum() == 0 ? new byte[0] : v.toByteArray());
        }

        public byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
