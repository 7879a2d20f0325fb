package dev.nanolith.gateway;

/** Tells whom a bearer credential sent to the gateway belongs to. */
@FunctionalInterface
public interface Authenticator {

    /**
     * The credential {@code token} is, or null when it is none of this platform's: unknown,
     * revoked or expired (all alike to the caller, who learns nothing of which keys exist).
     */
    Credential authenticate(String token);
}
