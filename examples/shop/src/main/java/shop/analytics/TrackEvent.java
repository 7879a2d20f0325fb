package shop.analytics;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.Connection;
import java.sql.PreparedStatement;
import shop.Db;
import shop.UsesDb;

/** Records something a customer did, for the analysts to count later. */
public final class TrackEvent implements Nano<TrackEvent.Event, Void>, UsesDb {

    /**
     * What happened.
     *
     * @param name       what it was, such as {@code order-placed}
     * @param customerId who did it
     * @param valueCents what it was worth, or 0
     */
    public record Event(String name, long customerId, long valueCents) {
    }

    @Override
    public Void apply(Event event, Ctx ctx) throws Exception {
        try (Connection db = Db.connect(ctx);
             PreparedStatement insert = db.prepareStatement("INSERT INTO events (name, customer_id, value_cents) VALUES (?, ?, ?)")) {
            insert.setString(1, event.name());
            insert.setLong(2, event.customerId());
            insert.setLong(3, event.valueCents());
            insert.executeUpdate();
        }
        return null;
    }
}
