package dev.nanolith.runtime.dispatch;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Proves that a connection between two processes was made by one that holds a key: the answer to
 * a random challenge is its HMAC-SHA256 under the key (see {@link Identities} for whose keys).
 */
public final class Signature {

    /** The length of an answer. */
    static final int BYTES = 32;

    private final SecretKeySpec key;

    public Signature(String secret) {
        this(secret.getBytes(StandardCharsets.UTF_8));
    }

    Signature(byte[] key) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
    }

    /** The answer to {@code challenge}. */
    byte[] answer(byte[] challenge) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(challenge);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** Whether {@code answer} is this platform's answer to {@code challenge}, in constant time. */
    boolean verify(byte[] answer, byte[] challenge) {
        return MessageDigest.isEqual(answer, answer(challenge));
    }
}
