package org.ssechat.config;

/** A setting has a value that cannot be used; the message names the setting, value and origin. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }
}
