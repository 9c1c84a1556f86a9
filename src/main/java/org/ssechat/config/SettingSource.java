package org.ssechat.config;

import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Where a setting's value comes from. One name (say {@code CHAT_HEARTBEAT_SECONDS}) is looked up
 * as a servlet context parameter, then a Java system property, then an environment variable; the
 * first one found wins. The most specific place wins: a context parameter belongs to one
 * deployment of the WAR, a system property to one JVM (which may run several), an environment
 * variable to the whole process tree.
 */
public final class SettingSource {

    /** A value and the place it was found, for error messages and the startup log. */
    public record Value(String name, String value, String origin) {
    }

    private final UnaryOperator<String> contextParameters;
    private final UnaryOperator<String> systemProperties;
    private final UnaryOperator<String> environment;

    public SettingSource(UnaryOperator<String> contextParameters, UnaryOperator<String> systemProperties,
            UnaryOperator<String> environment) {
        this.contextParameters = contextParameters;
        this.systemProperties = systemProperties;
        this.environment = environment;
    }

    /** The real sources of a running web application. */
    public static SettingSource of(UnaryOperator<String> contextParameters) {
        return new SettingSource(contextParameters, System::getProperty, System::getenv);
    }

    /** A source for tests: only the given values, as if they were context parameters. */
    public static SettingSource ofMap(Map<String, String> values) {
        return new SettingSource(values::get, name -> null, name -> null);
    }

    /** The value of a setting, or empty when it is unset or blank everywhere. */
    public Optional<Value> get(String name) {
        return find(name, contextParameters, "context parameter")
                .or(() -> find(name, systemProperties, "system property"))
                .or(() -> find(name, environment, "environment variable"));
    }

    private static Optional<Value> find(String name, UnaryOperator<String> source, String origin) {
        String value = source.apply(name);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new Value(name, value.trim(), origin));
    }
}
