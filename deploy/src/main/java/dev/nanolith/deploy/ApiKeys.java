package dev.nanolith.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.nanolith.gateway.Authenticator;
import dev.nanolith.gateway.Credential;
import dev.nanolith.runtime.security.RateLimit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The API keys callers send to the gateway for functions whose access is {@code key}: made,
 * listed and revoked through the admin API, kept in {@code DATA/keys.json} as hashes (a key is
 * shown once, when it is made). Looking a key up costs one SHA-256 and one map read; a revoked
 * or expired key is refused on the very next call.
 */
public final class ApiKeys implements Authenticator {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern SCOPE = Pattern.compile("[a-z0-9.*-]+");

    /**
     * One key as it is kept.
     *
     * @param name    who holds it, as functions see it ({@code ctx.caller().principal()})
     * @param hash    the SHA-256 of the key, in hex
     * @param scopes  globs of the functions it may call, such as {@code reporting.*}
     * @param created when it was made
     * @param expires when it stops working; null: never
     * @param rateLimit how many calls it may make through the gateway, to all functions together; null: no limit
     */
    public record Key(String name, String hash, List<String> scopes, Instant created, Instant expires, RateLimit rateLimit) {
    }

    /** A key in force, by its hash, with its scopes compiled. */
    private record Active(Key key, Credential credential) {
    }

    private final Path file;
    private final Clock clock;
    private final Map<String, Active> byHash = new ConcurrentHashMap<>();

    /** Reads the keys of {@code dataDir}, if it has any. */
    public ApiKeys(Path dataDir, Clock clock) {
        this.file = dataDir.resolve("keys.json");
        this.clock = clock;
        try {
            if (Files.exists(file)) {
                for (Key key : AppStore.JSON.readValue(file.toFile(), new TypeReference<List<Key>>() { })) {
                    byHash.put(key.hash(), new Active(key, new Credential(key.name(), key.scopes(), key.rateLimit())));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API keys in " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Credential authenticate(String token) {
        Active active = byHash.get(Tokens.hash(token));
        if (active == null || active.key().expires() != null && !clock.instant().isBefore(active.key().expires())) {
            return null;
        }
        return active.credential();
    }

    /**
     * Makes a key.
     *
     * @param expiresIn how long it works; null: until it is revoked
     * @param rateLimit how many calls it may make; null: no limit
     * @return the key, which is not kept and cannot be shown again
     * @throws IllegalArgumentException when the name, a scope or the duration is not valid
     * @throws IllegalStateException    when a key of that name exists
     */
    public synchronized String create(String name, List<String> scopes, Duration expiresIn, RateLimit rateLimit) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("key name '" + name + "' is not valid — use lower-case letters, digits, '.', '_' and '-',"
                    + " starting with a letter or digit, at most 63");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw new IllegalArgumentException("a key needs at least one scope: a function name or a glob such as reporting.*");
        }
        for (String scope : scopes) {
            if (!SCOPE.matcher(scope).matches()) {
                throw new IllegalArgumentException("scope '" + scope + "' is not valid — use a function name or a glob such as reporting.*");
            }
        }
        if (expiresIn != null && (expiresIn.isNegative() || expiresIn.isZero())) {
            throw new IllegalArgumentException("a key's expiry must be in the future, such as 30d or 12h");
        }
        if (byHash.values().stream().anyMatch(a -> a.key().name().equals(name))) {
            throw new IllegalStateException("a key named '" + name + "' exists — revoke it first, or choose another name");
        }
        String token = Tokens.create();
        Instant now = clock.instant();
        Key key = new Key(name, Tokens.hash(token), List.copyOf(scopes), now, expiresIn == null ? null : now.plus(expiresIn), rateLimit);
        byHash.put(key.hash(), new Active(key, new Credential(name, scopes, rateLimit)));
        save();
        return token;
    }

    /** The keys, by name. */
    public List<Key> list() {
        return byHash.values().stream().map(Active::key).sorted(Comparator.comparing(Key::name)).toList();
    }

    /**
     * Revokes a key: the next call that sends it is refused.
     *
     * @throws NotFoundException when no key has that name
     */
    public synchronized void revoke(String name) {
        if (!byHash.values().removeIf(a -> a.key().name().equals(name))) {
            throw new NotFoundException("no key named '" + name + "' — ./nanolith keys list shows the keys");
        }
        save();
    }

    private void save() {
        try {
            AppStore.write(file, list());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the API keys in " + file + ": " + e.getMessage(), e);
        }
    }
}
