package dev.nanolith;

import java.lang.System.Logger;
import java.time.Duration;
import java.util.Map;

/**
 * What a function sees of the platform during one call.
 *
 * <p>Calls to other functions ({@link Functions}) look the same wherever the callee runs: in
 * this process, objects are passed as they are; in another, the platform carries them. A nested
 * call inherits this call's deadline.
 */
public interface Ctx extends Functions {

    /** Who called this function. */
    Caller caller();

    /** This function's name, such as {@code checkout.verify-items}. */
    String function();

    /** This function's settings from {@code nanolith.yaml} ({@code functions.<name>.config}). */
    Map<String, String> config();

    /** One setting of this function; fails with a message naming the key when it is not set. */
    String config(String key);

    /**
     * A secret declared for this function ({@code functions.<name>.secrets}); no other
     * function can read it. Read it on each call rather than keeping it: a value set anew
     * ({@code ./nanolith secrets set}) takes effect without a push.
     *
     * @throws IllegalStateException when the function declares no secret of that name, or it is not set
     */
    String secret(String name);

    /** Time left until this call's deadline; pass it on to clients that block. */
    Duration remaining();

    /** A logger named after this function. */
    Logger log();
}
