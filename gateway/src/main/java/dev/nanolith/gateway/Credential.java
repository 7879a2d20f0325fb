package dev.nanolith.gateway;

import dev.nanolith.runtime.placement.Placement;
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

    /**
     * @param principal what {@code ctx.caller().principal()} returns to the functions it calls: an
     *                  API key's name
     * @param scopes    globs of function names, such as {@code reporting.*} ({@code *} is any run of characters)
     */
    public Credential(String principal, List<String> scopes) {
        this.principal = principal;
        this.scopes = List.copyOf(scopes);
        this.patterns = scopes.stream().map(Placement::glob).toList();
    }

    public String principal() {
        return principal;
    }

    public List<String> scopes() {
        return scopes;
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
