package dev.nanolith.gateway;

import dev.nanolith.runtime.placement.Placement;
import dev.nanolith.runtime.security.RateLimit;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a valid credential presented to the gateway says: who holds it and which functions it may
 * call. Its scopes are compiled once, as it is made, not on each call.
 */
public final class Credential {

    private final String principal;
    private final List<String> scopes;
    private final List<Pattern> patterns;
    private final RateLimit rateLimit;

    /**
     * @param principal what {@code ctx.caller().principal()} returns to the functions it calls: an
     *                  API key's name, a token's subject
     * @param scopes    globs of function names, such as {@code reporting.*} ({@code *} is any run of characters)
     * @param rateLimit how many calls it may make through the gateway, to all functions together; null: no limit
     */
    public Credential(String principal, List<String> scopes, RateLimit rateLimit) {
        this.principal = principal;
        this.scopes = List.copyOf(scopes);
        this.patterns = scopes.stream().map(Placement::glob).toList();
        this.rateLimit = rateLimit;
    }

    public String principal() {
        return principal;
    }

    public List<String> scopes() {
        return scopes;
    }

    /** How many calls it may make through the gateway, or null. */
    public RateLimit rateLimit() {
        return rateLimit;
    }

    /** Whether a scope names {@code function}. */
    public boolean permits(String function) {
        for (Pattern scope : patterns) {
            if (scope.matcher(function).matches()) {
                return true;
            }
        }
        return false;
    }
}
