package io.github.s3flash.api.sshsig;

/**
 * OpenSSH pattern lists (ssh_config(5), PATTERNS), matched as OpenSSH's {@code match.c} does:
 * comma-separated patterns, {@code *} for any run and {@code ?} for any one character, {@code !}
 * negating a pattern; a negated match wins over every positive one. Matching runs a set of states
 * over the string, so a hostile pattern costs time linear in its length times the string's.
 */
final class Patterns {

    /** OpenSSH fails a sub-pattern this long or longer rather than match it. */
    private static final int MAX_SUBPATTERN = 1023;

    private Patterns() {}

    /** 1 when {@code s} matches a pattern of {@code list}, -1 when it matches a negated one, else 0. */
    static int matchList(String s, String list) {
        boolean positive = false;
        int i = 0;
        while (i < list.length()) {
            boolean negated = list.charAt(i) == '!';
            if (negated) {
                i++;
            }
            int comma = list.indexOf(',', i);
            int end = comma < 0 ? list.length() : comma;
            if (end - i >= MAX_SUBPATTERN) {
                return 0;
            }
            if (match(s, list.substring(i, end))) {
                if (negated) {
                    return -1;
                }
                positive = true;
            }
            i = comma < 0 ? end : end + 1;
        }
        return positive ? 1 : 0;
    }

    /** Whether all of {@code s} matches {@code pattern}. */
    static boolean match(String s, String pattern) {
        int m = pattern.length();
        boolean[] states = new boolean[m + 1];
        boolean[] next = new boolean[m + 1];
        states[0] = true;
        closure(states, pattern);
        for (int k = 0; k < s.length(); k++) {
            java.util.Arrays.fill(next, false);
            boolean active = false;
            for (int i = 0; i < m; i++) {
                if (!states[i]) {
                    continue;
                }
                char p = pattern.charAt(i);
                if (p == '*') {
                    next[i] = true;
                } else if (p == '?' || p == s.charAt(k)) {
                    next[i + 1] = true;
                }
            }
            closure(next, pattern);
            boolean[] swap = states;
            states = next;
            next = swap;
            for (boolean b : states) {
                active |= b;
            }
            if (!active) {
                return false;
            }
        }
        return states[m];
    }

    /** A star may match nothing: a state before a star also reaches the state after it. */
    private static void closure(boolean[] states, String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            if (states[i] && pattern.charAt(i) == '*') {
                states[i + 1] = true;
            }
        }
    }
}
