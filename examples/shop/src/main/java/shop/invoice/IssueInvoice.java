package shop.invoice;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import shop.Db;
import shop.UsesDb;
import shop.orders.GetOrder;
import shop.orders.Order;

/**
 * Issues the invoice of a paid order under the next invoice number, stating the VAT its total
 * includes; an order is invoiced once, however often this is asked.
 */
public final class IssueInvoice implements Nano<IssueInvoice.InvoiceRequest, IssueInvoice.Invoice>, UsesDb {

    /** The order to invoice. */
    public record InvoiceRequest(long orderId) {
    }

    /** An issued invoice; its total includes {@code vatCents} of VAT. */
    public record Invoice(String number, long orderId, long totalCents, long vatCents) {
    }

    @Override
    public Invoice apply(InvoiceRequest request, Ctx ctx) throws Exception {
        // An unknown order is refused by orders.get-order (404 no-such-order), and so is its invoice.
        Order order = ctx.call(GetOrder.class, new GetOrder.OrderNumber(request.orderId()));
        long vat = includedVat(order.totalCents(), new BigDecimal(ctx.config("vat-percent")));
        return Db.inTransaction(ctx, db -> {
            try (PreparedStatement select = db.prepareStatement("SELECT number, total_cents, vat_cents FROM invoices WHERE order_id = ?")) {
                select.setLong(1, order.id());
                try (ResultSet row = select.executeQuery()) {
                    if (row.next()) {
                        return new Invoice(row.getString("number"), order.id(), row.getLong("total_cents"), row.getLong("vat_cents"));
                    }
                }
            }
            String number;
            try (Statement next = db.createStatement(); ResultSet row = next.executeQuery("SELECT NEXT VALUE FOR invoice_numbers")) {
                row.next();
                number = String.format("INV-%06d", row.getLong(1));
            }
            try (PreparedStatement insert = db.prepareStatement(
                    "INSERT INTO invoices (number, order_id, total_cents, vat_cents) VALUES (?, ?, ?, ?)")) {
                insert.setString(1, number);
                insert.setLong(2, order.id());
                insert.setLong(3, order.totalCents());
                insert.setLong(4, vat);
                insert.executeUpdate();
            }
            return new Invoice(number, order.id(), order.totalCents(), vat);
        });
    }

    /** The VAT in a price that includes it: {@code total × rate / (100 + rate)}, to the nearest cent. */
    static long includedVat(long totalCents, BigDecimal percent) {
        return BigDecimal.valueOf(totalCents).multiply(percent)
                .divide(percent.add(BigDecimal.valueOf(100)), 0, RoundingMode.HALF_UP).longValueExact();
    }
}
