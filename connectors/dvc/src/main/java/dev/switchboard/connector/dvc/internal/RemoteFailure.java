package dev.switchboard.connector.dvc.internal;

import java.io.IOException;

/** A remote answered with an HTTP error status (not "no such object"), which the connector classifies. */
public final class RemoteFailure extends IOException {

    private final int status;

    public RemoteFailure(String message, int status) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
