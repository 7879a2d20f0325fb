package shop.auth;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import shop.Db;
import shop.UsesDb;

/**
 * Finds the customer a token belongs to; an unknown token finds no one.
 *
 * <p>Only a hash of each token is stored, so the customers table gives away no tokens.
 */
public final class Authenticate implements Nano<Authenticate.Credentials, Optional<Customer>>, UsesDb {

    /** What a customer presents: the token they were given when they signed up. */
    public record Credentials(String token) {
    }

    @Override
    public Optional<Customer> apply(Credentials credentials, Ctx ctx) throws Exception {
        try (Connection db = Db.connect(ctx);
             PreparedStatement select = db.prepareStatement(
                     "SELECT id, name, email FROM customers WHERE token_hash = HASH('SHA-256', CAST(? AS VARCHAR))")) {
            select.setString(1, credentials.token());
            try (ResultSet row = select.executeQuery()) {
                return row.next()
                        ? Optional.of(new Customer(row.getLong("id"), row.getString("name"), row.getString("email")))
                        : Optional.empty();
            }
        }
    }
}
