package dev.nanolith;

import java.util.Optional;

/**
 * Who a call comes from: the principal on whose behalf the operation runs and, for a call
 * from another function, that function's name.
 */
public record Caller(String principal, Optional<String> function) {

    /** The caller of a request that carried no credentials. */
    public static final Caller ANONYMOUS = new Caller("anonymous", Optional.empty());

    public Caller {
        if (principal == null || principal.isBlank()) {
            throw new IllegalArgumentException("a caller needs a principal");
        }
        function = function == null ? Optional.empty() : function;
    }

    /** The same principal, calling through the named function. */
    public Caller via(String functionName) {
        return new Caller(principal, Optional.of(functionName));
    }
}
