package shop.shipping;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import shop.Db;
import shop.UsesDb;

/**
 * Books the shipment of an order with the carrier that serves its country and gives its
 * tracking number; an order is booked once, however often this is asked.
 */
public final class ScheduleShipment implements Nano<ScheduleShipment.ShipmentRequest, ScheduleShipment.Shipment>, UsesDb {

    /** The order to ship and where to. */
    public record ShipmentRequest(long orderId, Address shipTo) {
    }

    /** A booked shipment. */
    public record Shipment(long orderId, String carrier, String trackingNumber) {
    }

    /** A parcel carrier and the prefix of its tracking numbers. */
    private record Carrier(String name, String prefix) {
    }

    private static final Carrier FALLBACK = new Carrier("DHL", "JJD");
    private static final Map<String, Carrier> BY_COUNTRY = Map.of(
            "NL", new Carrier("PostNL", "3S"),
            "BE", new Carrier("bpost", "CD"),
            "LU", new Carrier("bpost", "CD"),
            "FR", new Carrier("Colissimo", "6A"));

    @Override
    public Shipment apply(ShipmentRequest request, Ctx ctx) throws Exception {
        Address to = request.shipTo();
        Carrier carrier = BY_COUNTRY.getOrDefault(to.country(), FALLBACK);
        return Db.inTransaction(ctx, db -> {
            try (PreparedStatement select = db.prepareStatement("SELECT carrier, tracking_number FROM shipments WHERE order_id = ?")) {
                select.setLong(1, request.orderId());
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        return new Shipment(request.orderId(), row.getString("carrier"), row.getString("tracking_number"));
                    }
                }
            }
            String tracking = carrier.prefix() + String.format("%010d", request.orderId()) + to.country();
            try (PreparedStatement insert = db.prepareStatement("""
                    INSERT INTO shipments (order_id, carrier, tracking_number, name, street, postcode, city, country)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")) {
                insert.setLong(1, request.orderId());
                insert.setString(2, carrier.name());
                insert.setString(3, tracking);
                insert.setString(4, to.name());
                insert.setString(5, to.street());
                insert.setString(6, to.postcode());
                insert.setString(7, to.city());
                insert.setString(8, to.country());
                insert.executeUpdate();
            }
            return new Shipment(request.orderId(), carrier.name(), tracking);
        });
    }
}
