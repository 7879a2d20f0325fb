package dev.nanolith.runtime.dispatch;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;

/**
 * Who a process of the platform is on the wire, and the keys that prove it. The control plane is
 * {@value #PLATFORM}; a worker is {@code APP/SERVICE}. Each pair of a caller and a callee has a
 * key of its own, HMAC-SHA256 of {@code CALLER>CALLEE} under the platform's secret, which only the
 * control plane holds: a worker is issued the keys of the connections it makes (to its app's other
 * services) and of those it takes (from them and from the control plane), so it cannot pass for
 * another worker, nor reach another app's. A callee also checks that each call names a caller
 * placed in the service that connected.
 */
public final class Identities {

    /** The control plane's identity. */
    public static final String PLATFORM = "platform";

    private final String self;
    private final Function<String, Signature> toCallee;
    private final Function<String, Signature> fromCaller;

    private Identities(String self, Function<String, Signature> toCallee, Function<String, Signature> fromCaller) {
        this.self = self;
        this.toCallee = toCallee;
        this.fromCaller = fromCaller;
    }

    /** The identity of the worker of {@code app}'s {@code service}. */
    public static String of(String app, String service) {
        return app + "/" + service;
    }

    /** The control plane's: every key it needs is made from the platform's secret. */
    public static Identities platform(String secret) {
        return new Identities(PLATFORM, callee -> new Signature(key(secret, PLATFORM, callee)), caller -> null);
    }

    /**
     * The keys the control plane issues to the worker of {@code app}'s {@code service}: to call
     * each of {@code services} and to be called by each of them and by the control plane, by
     * {@code to:IDENTITY} and {@code from:IDENTITY}, in hex.
     */
    public static Map<String, String> issue(String secret, String app, String service, Collection<String> services) {
        String self = of(app, service);
        Map<String, String> keys = new HashMap<>();
        keys.put("from:" + PLATFORM, HexFormat.of().formatHex(key(secret, PLATFORM, self)));
        for (String other : services) {
            keys.put("to:" + of(app, other), HexFormat.of().formatHex(key(secret, self, of(app, other))));
            keys.put("from:" + of(app, other), HexFormat.of().formatHex(key(secret, of(app, other), self)));
        }
        return keys;
    }

    /** A worker's, from the keys {@link #issue} gave it. */
    public static Identities worker(String self, Map<String, String> issued) {
        Map<String, Signature> keys = new HashMap<>();
        issued.forEach((name, hex) -> keys.put(name, new Signature(HexFormat.of().parseHex(hex))));
        return new Identities(self, callee -> keys.get("to:" + callee), caller -> keys.get("from:" + caller));
    }

    /** The key of connections from {@code caller} to {@code callee}. */
    public static byte[] key(String secret, String caller, String callee) {
        return new Signature(secret).answer((caller + ">" + callee).getBytes(StandardCharsets.UTF_8));
    }

    String self() {
        return self;
    }

    /** What proves this process to {@code callee}, or null when it was issued nothing for it. */
    Signature to(String callee) {
        return toCallee.apply(callee);
    }

    /** What proves {@code caller} to this process, or null when it takes no calls from it. */
    Signature from(String caller) {
        return fromCaller.apply(caller);
    }
}
