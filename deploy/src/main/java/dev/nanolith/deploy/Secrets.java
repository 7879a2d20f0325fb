package dev.nanolith.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.nanolith.runtime.config.AppConfig;
import dev.nanolith.runtime.config.FunctionConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secrets of apps, set, listed (names only) and removed through the admin API, kept encrypted
 * in {@code DATA/secrets.json}: each value sealed on its own with AES-256-GCM (NIST SP 800-38D), a
 * fresh 96-bit nonce per value and {@code APP/NAME} as associated data, so that a value cannot be
 * moved to another name. The key is a file of its own, never in the file it opens:
 * {@code DATA/secrets.key} unless the setting {@value #KEY_FILE} names another, such as one a key
 * management service mounts. A secret an app declares and this store does not hold comes from
 * the platform's settings or environment, as before the store existed.
 */
public final class Secrets {

    /** The setting that names the key's file. */
    public static final String KEY_FILE = "NANOLITH_SECRETS_KEY_FILE";

    /** The largest value, in bytes of UTF-8. */
    public static final int MAX_BYTES = 64 * 1024;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 12, TAG_BITS = 128, KEY_BYTES = 32;

    /**
     * A secret as it is kept.
     *
     * @param nonce   the GCM nonce, base64
     * @param sealed  the value encrypted, with its tag, base64
     * @param updated when it was last set
     */
    private record Sealed(String nonce, String sealed, Instant updated) {
    }

    /** A secret as it is listed: its name and when it was last set, never its value. */
    public record Entry(String name, Instant updated) {
    }

    private final Path file;
    private final Path keyFile;
    private final UnaryOperator<String> fallback;
    private final Clock clock;
    /** By app, then by name. */
    private Map<String, Map<String, Sealed>> apps;
    private final AtomicLong version = new AtomicLong();
    private SecretKeySpec key;

    /**
     * Opens the secrets of {@code dataDir}, checking that every one opens with the key.
     *
     * @param fallback the platform's settings and environment, for a secret the store does not hold
     * @throws IllegalStateException saying which file, and which secret, when the file cannot be read, the key is
     *                               missing or not a key, or a secret does not open with it
     */
    public Secrets(Path dataDir, UnaryOperator<String> fallback, Clock clock) {
        this.file = dataDir.resolve("secrets.json");
        String configured = fallback.apply(KEY_FILE);
        boolean given = configured != null && !configured.isBlank();
        this.keyFile = given ? Path.of(configured) : dataDir.resolve("secrets.key");
        this.fallback = fallback;
        this.clock = clock;
        this.apps = read(file);
        this.key = readKey(keyFile);
        long count = apps.values().stream().mapToLong(Map::size).sum();
        if (key == null && count > 0) {
            throw new IllegalStateException(file + " holds " + count + (count == 1 ? " secret" : " secrets") + " but their key " + keyFile
                    + " is missing — restore it; without it they cannot be read");
        }
        if (key == null && given) {
            throw new IllegalStateException(KEY_FILE + ": there is no key in " + keyFile + " — make one with: head -c 32 /dev/urandom | base64 > "
                    + keyFile);
        }
        apps.forEach((app, secrets) -> secrets.keySet().forEach(name -> open(app, name)));
    }

    /** The sealed secrets in {@code file}, by app and name; none when there is no file. */
    private static Map<String, Map<String, Sealed>> read(Path file) {
        if (!Files.exists(file)) {
            return new TreeMap<>();
        }
        Map<String, Map<String, Sealed>> apps;
        try {
            apps = AppStore.JSON.readValue(file.toFile(), new TypeReference<TreeMap<String, Map<String, Sealed>>>() { });
        } catch (IOException e) {
            throw new IllegalStateException(file + " is not a file of sealed secrets (" + firstLine(e.getMessage()) + ") — restore it from"
                    + " a backup, or move it away and set the secrets again");
        }
        apps.forEach((app, secrets) -> secrets.forEach((name, sealed) -> {
            if (sealed == null || sealed.nonce() == null || sealed.sealed() == null || sealed.updated() == null) {
                throw new IllegalStateException(file + ": the secret " + name + " of '" + app + "' is incomplete — restore the file from a"
                        + " backup, or remove its entry and set the secret again");
            }
        }));
        return apps;
    }

    /** The key in {@code keyFile}, or null when there is no such file. */
    private static SecretKeySpec readKey(Path keyFile) {
        if (!Files.exists(keyFile)) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(Files.readString(keyFile).strip());
        } catch (IOException e) {
            throw new IllegalStateException("the key of the secrets, " + keyFile + ", cannot be read (" + e.getMessage() + ") — make it"
                    + " readable by the platform's user");
        } catch (IllegalArgumentException e) {
            bytes = new byte[0];
        }
        if (bytes.length != KEY_BYTES) {
            throw new IllegalStateException(keyFile + " is not a key for the secrets: a key is " + KEY_BYTES + " random bytes in base64, as"
                    + " head -c 32 /dev/urandom | base64 makes — restore the key the secrets were sealed with");
        }
        return new SecretKeySpec(bytes, "AES");
    }

    private static String firstLine(String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
    }

    /**
     * Sets a secret of {@code app}, which need not be deployed yet.
     *
     * @return when it was set
     * @throws IllegalArgumentException when the app's or the secret's name, or the value, is not valid
     */
    public synchronized Instant set(String app, String name, String value) {
        check(app, Objects.requireNonNull(name));
        if (value.isEmpty()) {
            throw new IllegalArgumentException("the value of a secret cannot be empty — remove the secret instead");
        }
        if (value.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            throw new IllegalArgumentException("the value of a secret may take at most " + MAX_BYTES + " bytes");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = cipher(Cipher.ENCRYPT_MODE, app, name, nonce, value.getBytes(StandardCharsets.UTF_8));
        Instant now = clock.instant();
        Map<String, Map<String, Sealed>> next = copy();
        next.computeIfAbsent(app, a -> new TreeMap<>()).put(name, new Sealed(encode(nonce), encode(sealed), now));
        save(next);
        return now;
    }

    /**
     * Removes a secret of {@code app}.
     *
     * @throws NotFoundException when the app has no secret of that name
     */
    public synchronized void remove(String app, String name) {
        check(app, name);
        Map<String, Map<String, Sealed>> next = copy();
        Map<String, Sealed> secrets = next.get(app);
        if (secrets == null || secrets.remove(name) == null) {
            throw new NotFoundException("no secret " + name + " of '" + app + "' — ./nanolith secrets list " + app + " shows them");
        }
        if (secrets.isEmpty()) {
            next.remove(app);
        }
        save(next);
    }

    /** A copy of the secrets to change: they are kept only once the file has the change. */
    private Map<String, Map<String, Sealed>> copy() {
        Map<String, Map<String, Sealed>> copy = new TreeMap<>();
        apps.forEach((app, secrets) -> copy.put(app, new TreeMap<>(secrets)));
        return copy;
    }

    /** The secrets of {@code app} the store holds, by name. */
    public synchronized List<Entry> list(String app) {
        check(app, null);
        return apps.getOrDefault(app, Map.of()).entrySet().stream().map(e -> new Entry(e.getKey(), e.getValue().updated())).toList();
    }

    /** The values of those of {@code names} that are set, by name: from the store, or else from the settings. */
    public synchronized Map<String, String> values(String app, Collection<String> names) {
        Map<String, String> values = new TreeMap<>();
        for (String name : names) {
            // The platform's own settings are never an app's secret.
            String value = apps.getOrDefault(app, Map.of()).containsKey(name) ? open(app, name)
                    : name.startsWith("NANOLITH_") ? null : fallback.apply(name);
            if (value != null) {
                values.put(name, value);
            }
        }
        return values;
    }

    /** How many times a secret was set or removed: a worker that started meanwhile is sent its values again. */
    public long version() {
        return version.get();
    }

    /**
     * Refuses an app's or a secret's name that is not valid.
     *
     * @throws IllegalArgumentException saying which and why
     */
    public static void check(String app, String name) {
        if (app == null || !AppConfig.APP_NAME.matcher(app).matches()) {
            throw new IllegalArgumentException(AppConfig.notAnAppName(app));
        }
        if (name != null && !FunctionConfig.SECRET_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(FunctionConfig.notASecretName(name));
        }
    }

    private String open(String app, String name) {
        Sealed sealed = apps.get(app).get(name);
        if (key == null) {
            throw new IllegalStateException(file + " holds secrets but their key " + keyFile + " is missing — restore it; without it"
                    + " they cannot be read");
        }
        return new String(cipher(Cipher.DECRYPT_MODE, app, name, decode(sealed.nonce()), decode(sealed.sealed())), StandardCharsets.UTF_8);
    }

    private byte[] cipher(int mode, String app, String name, byte[] nonce, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD((app + "/" + name).getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the secret " + name + " of '" + app + "' in " + file + " does not open with the key in " + keyFile
                    + " — the key was replaced or the file altered; restore them, or set the secret again");
        }
    }

    /** The key, made (and kept, readable by the owner only) when the first secret is set. */
    private SecretKeySpec key() {
        if (key == null) {
            byte[] bytes = new byte[KEY_BYTES];
            RANDOM.nextBytes(bytes);
            try {
                Files.createDirectories(keyFile.toAbsolutePath().getParent());
                AppStore.writeOwnerOnly(keyFile, encode(bytes) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot keep the key of the secrets in " + keyFile + ": " + e.getMessage(), e);
            }
            key = new SecretKeySpec(bytes, "AES");
        }
        return key;
    }

    private void save(Map<String, Map<String, Sealed>> next) {
        try {
            AppStore.write(file, next);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the secrets in " + file + ": " + e.getMessage(), e);
        }
        apps = next;
        version.incrementAndGet();
    }

    private static String encode(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] decode(String text) {
        return Base64.getDecoder().decode(text);
    }
}
