package org.ssechat.config;

/** A setting has a value that cannot be used; the message names the setting, value and origin. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    /** The one wording of a refused value; {@code shown} is the value as it may be logged. */
    static ConfigException invalid(String name, String shown, String origin, String expected) {
        return new ConfigException("Invalid setting " + name + "='" + shown + "' (from " + origin + "): expected "
                + expected);
    }
}
