package dev.nanolith.deploy;

/** What a request names does not exist: an app, a revision, a key, a secret. The admin API answers it with 404. */
public final class NotFoundException extends IllegalArgumentException {

    public NotFoundException(String message) {
        super(message);
    }
}
