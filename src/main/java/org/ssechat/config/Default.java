package org.ssechat.config;

import java.util.function.Supplier;

/**
 * A setting's value when it is set nowhere, and how the docs say it: a literal ({@code `15`}),
 * or a text for one derived at startup ({@code an eighth of the heap, ...}) or absent ({@code unset}).
 * The docs' default cell begins with {@link #documented()}.
 */
record Default<T>(String documented, Supplier<T> value) {

    /** A fixed value, documented as itself. */
    static <T> Default<T> literal(T value) {
        return new Default<>("`" + value + "`", () -> value);
    }

    /** A value worked out when the settings load (from the heap, the cores), described in words. */
    static <T> Default<T> derived(String documented, Supplier<T> value) {
        return new Default<>(documented, value);
    }

    /** A share of the JVM's maximum heap ({@code 1/divisor} of it), kept from {@code min} to {@code max} bytes. */
    static Default<Long> heapShare(String documented, int divisor, long min, long max) {
        return derived(documented, () -> Math.max(min, Math.min(max, Runtime.getRuntime().maxMemory() / divisor)));
    }

    /** No value: the feature the setting turns on is off. */
    static <T> Default<T> unset(T absent) {
        return new Default<>("unset", () -> absent);
    }
}
