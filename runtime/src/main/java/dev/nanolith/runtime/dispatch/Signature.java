package dev.nanolith.runtime.dispatch;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs what a call between services says of itself (function, caller, principal, deadline), so
 * that a service trusts only calls from its own platform.
 */
public final class Signature {

    /** Headers of a call between services. */
    public static final String PRINCIPAL = "Nanolith-Principal", CALLER = "Nanolith-Caller",
            REMAINING = "Nanolith-Remaining-Ms", SIGNATURE = "Nanolith-Signature";

    private final SecretKeySpec key;

    public Signature(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** The signature of one call. */
    public String sign(String function, String principal, String caller, long remainingMillis) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] text = (function + "\n" + principal + "\n" + caller + "\n" + remainingMillis).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(mac.doFinal(text));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** Whether {@code signature} is this platform's, in constant time. */
    public boolean verify(String signature, String function, String principal, String caller, long remainingMillis) {
        return signature != null && MessageDigest.isEqual(signature.getBytes(StandardCharsets.US_ASCII),
                sign(function, principal, caller, remainingMillis).getBytes(StandardCharsets.US_ASCII));
    }
}
