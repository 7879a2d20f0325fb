package dev.nanolith.gateway;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.nanolith.runtime.config.Durations;
import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * JWT bearer tokens (RFC 7519) signed by an identity provider, validated with nimbus-jose-jwt:
 * the signature against the provider's JSON Web Key Set (a URL, fetched and cached, or a file;
 * asymmetric algorithms only), the issuer, the audience, the expiry and not-before times with a
 * clock skew; {@code sub} is the principal and a claim (OAuth's space-separated {@code scope} by
 * default, or a list) gives the scopes.
 */
public final class JwtAuthenticator implements Authenticator {

    /** The platform's settings that configure it; without {@value #JWKS}, JWTs are not accepted. */
    public static final String JWKS = "NANOLITH_JWT_JWKS", ISSUER = "NANOLITH_JWT_ISSUER", AUDIENCE = "NANOLITH_JWT_AUDIENCE",
            SCOPE_CLAIM = "NANOLITH_JWT_SCOPE_CLAIM", CLOCK_SKEW = "NANOLITH_JWT_CLOCK_SKEW";

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final String scopeClaim;

    private JwtAuthenticator(JWKSource<SecurityContext> keys, String issuer, String audience, String scopeClaim, Duration clockSkew) {
        this.scopeClaim = scopeClaim;
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(new HashSet<>(JWSAlgorithm.Family.SIGNATURE), keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(audience == null ? null : Set.of(audience),
                issuer == null ? null : new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "exp"), null);
        claims.setMaxClockSkew((int) clockSkew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /**
     * The authenticator {@code settings} configure, or null when {@value #JWKS} is not set.
     *
     * @throws IllegalArgumentException naming the setting when one is not valid, or the key set's file cannot be read
     */
    public static JwtAuthenticator of(UnaryOperator<String> settings) {
        String jwks = settings.apply(JWKS);
        if (jwks == null || jwks.isBlank()) {
            return null;
        }
        JWKSource<SecurityContext> keys;
        try {
            keys = jwks.startsWith("https://") || jwks.startsWith("http://")
                    ? JWKSourceBuilder.create(URI.create(jwks).toURL()).build()
                    : new ImmutableJWKSet<>(JWKSet.load(new File(jwks)));
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalArgumentException(JWKS + ": '" + jwks + "' is not a URL — give an https:// URL or a file of JSON Web Keys");
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException(JWKS + ": the key set in " + jwks + " cannot be read: " + e.getMessage());
        }
        String skew = settings.apply(CLOCK_SKEW);
        Duration clockSkew;
        try {
            clockSkew = skew == null ? Duration.ofSeconds(60) : Durations.parse(skew);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(CLOCK_SKEW + ": " + e.getMessage());
        }
        String scopeClaim = settings.apply(SCOPE_CLAIM);
        return new JwtAuthenticator(keys, settings.apply(ISSUER), settings.apply(AUDIENCE), scopeClaim == null ? "scope" : scopeClaim,
                clockSkew);
    }

    /** Whether {@code token} has a JWT's compact form: three dot-separated parts. */
    public static boolean isJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

    @Override
    public Credential authenticate(String token) {
        try {
            JWTClaimsSet claims = processor.process(token, null);
            return new Credential(claims.getSubject(), scopes(claims.getClaim(scopeClaim)), null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            return null;
        }
    }

    private static List<String> scopes(Object claim) {
        return switch (claim) {
            case String text -> Arrays.stream(text.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
            case List<?> list -> list.stream().map(String::valueOf).toList();
            case null, default -> List.of();
        };
    }
}
