package shop.payments;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import shop.Db;
import shop.UsesDb;

/** Fetches the card on file and the email address of a customer; an unknown customer has none. */
public final class GetPaymentDetails implements Nano<GetPaymentDetails.Payer, Optional<PaymentDetails>>, UsesDb {

    /** The customer who pays. */
    public record Payer(long customerId) {
    }

    @Override
    public Optional<PaymentDetails> apply(Payer payer, Ctx ctx) throws Exception {
        try (Connection db = Db.connect(ctx);
             PreparedStatement select = db.prepareStatement("SELECT name, email, card FROM customers WHERE id = ?")) {
            select.setLong(1, payer.customerId());
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                return Optional.of(new PaymentDetails(payer.customerId(), row.getString("name"), row.getString("email"), row.getString("card")));
            }
        }
    }
}
