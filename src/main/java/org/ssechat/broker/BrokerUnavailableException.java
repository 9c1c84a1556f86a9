package org.ssechat.broker;

/** The broker could not publish a message; nothing was delivered. POST /chat answers 503. */
public final class BrokerUnavailableException extends Exception {

    public BrokerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
