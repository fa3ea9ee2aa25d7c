package io.github.xent;

import java.nio.Buffer;

/**
 * Base addresses of the direct buffers last passed, two per argument slot: asking JavaCPP for one
 * costs a JNI call, ~20 ns, and a training loop passes the same buffers (or two in turn) every
 * step. Keyed by identity (a direct buffer's base address never changes); each entry is immutable,
 * so a thread never pairs one buffer with another's address.
 */
final class AddressCache {
    /** A buffer and its base address, immutable (safely shared between threads). */
    private static final class Entry {
        final Buffer buffer;
        final long base;

        Entry(Buffer buffer, long base) {
            this.buffer = buffer;
            this.base = base;
        }
    }

    private final Entry[] entries;

    AddressCache(int slots) {
        entries = new Entry[2 * slots];
    }

    /** Forgets every buffer (so the cache keeps none alive). */
    void clear() {
        java.util.Arrays.fill(entries, null);
    }

    /** The base address of {@code buffer}, a direct buffer passed as argument {@code slot}. */
    long base(int slot, Buffer buffer) {
        Entry first = entries[2 * slot], second = entries[2 * slot + 1];
        if (first != null && first.buffer == buffer) return first.base;
        if (second != null && second.buffer == buffer) return second.base;
        Entry fresh = new Entry(buffer, BufferAddress.base(buffer));
        entries[2 * slot + 1] = first;
        entries[2 * slot] = fresh;
        return fresh.base;
    }
}
