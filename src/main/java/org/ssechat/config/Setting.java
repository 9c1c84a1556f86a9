package org.ssechat.config;

import java.util.Optional;
import java.util.function.Function;

/**
 * One setting, written once: its name, how its text is read and checked, its default, how the
 * startup log shows its value, and what it means. {@link ChatConfig} holds the table of them;
 * loading, the startup log and the documentation check all read that table.
 */
record Setting<T>(String name, Parser<T> parser, Default<T> byDefault, Function<? super T, String> shown,
        String meaning) {

    /** The value from the first place that sets it, else the default. */
    T load(SettingSource source) {
        return source.get(name).map(parser::read).orElseGet(byDefault.value());
    }

    /** Shows only whether a secret is set: its value never reaches a log. */
    static Function<Optional<String>, String> hidden(String whenUnset) {
        return value -> value.isPresent() ? "(set)" : whenUnset;
    }

    /** Shows a number, and what 0 means for it. */
    static Function<Number, String> zeroMeans(String meaning) {
        return n -> n.longValue() == 0 ? meaning : String.valueOf(n);
    }
}
