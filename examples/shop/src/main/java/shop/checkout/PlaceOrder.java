package shop.checkout;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import dev.nanolith.NanoException;
import dev.nanolith.RefusedException;
import java.util.List;
import java.util.Optional;
import shop.Problem;
import shop.analytics.TrackEvent;
import shop.inventory.ReleaseStock;
import shop.inventory.ReserveStock;
import shop.inventory.Reservation;
import shop.inventory.Shortage;
import shop.notification.SendOrderConfirmation;
import shop.orders.Order;
import shop.orders.RecordOrder;
import shop.payments.Charge;
import shop.payments.ChargeRequest;
import shop.payments.Charged;
import shop.payments.GetPaymentDetails;
import shop.payments.PaymentDetails;
import shop.pricing.PriceOrder;
import shop.pricing.Quote;
import shop.reporting.RecordSale;

/**
 * Checks out a basket: verifies the items, charges the customer's card, records the order and
 * confirms it by email.
 *
 * <p>A basket that cannot be bought is refused with every problem in the message: 422 under the
 * first mistake's code ({@code unknown-sku}, {@code bad-quantity}, ...), or 409
 * {@code out-of-stock} when only stock is short. A declined card is refused with 402
 * {@code card-declined}, a rate-limiting processor with 503 {@code payment-unavailable}.
 *
 * <p>The items are reserved before the card is charged, so that two customers cannot both pay
 * for the last one; when the charge does not go through, they go back in stock and no order is
 * recorded.
 */
public final class PlaceOrder implements Nano<Basket, PlacedOrder> {

    @Override
    public PlacedOrder apply(Basket basket, Ctx ctx) {
        List<Problem> problems = ctx.call(VerifyItems.class, basket.items());
        if (!problems.isEmpty()) {
            throw refusal(problems);
        }
        Optional<PaymentDetails> payer = ctx.call(GetPaymentDetails.class, new GetPaymentDetails.Payer(basket.customerId()));
        if (payer.isEmpty()) {
            throw RefusedException.invalid("unknown-customer", "there is no customer " + basket.customerId());
        }
        Quote quote = ctx.call(PriceOrder.class, basket.items());
        // Refused with 409 out-of-stock when another order took the stock since the items were verified.
        Reservation reservation = ctx.call(ReserveStock.class, basket.items());
        Charged charged = charge(quote, payer.get(), reservation, ctx);
        Order order = record(new RecordOrder.PaidOrder(basket.customerId(), reservation.id(), quote, charged.chargeId()), ctx);
        afterSale(order, ctx, () -> ctx.call(SendOrderConfirmation.class,
                new SendOrderConfirmation.Confirmation(payer.get().name(), payer.get().email(), order)));
        afterSale(order, ctx, () -> ctx.call(RecordSale.class, order));
        afterSale(order, ctx, () -> ctx.call(TrackEvent.class, new TrackEvent.Event("order-placed", order.customerId(), order.totalCents())));
        return new PlacedOrder(order.id(), order.totalCents(), order.chargeId());
    }

    /** A basket's problems as one refusal; mistakes come first, so a basket that is only short of stock is a conflict. */
    private static RefusedException refusal(List<Problem> problems) {
        String code = problems.getFirst().code();
        String message = Problem.messages(problems);
        return code.equals(Shortage.OUT_OF_STOCK) ? RefusedException.conflict(code, message) : RefusedException.invalid(code, message);
    }

    /** Charges the card; when the charge fails or is refused, the reserved items go back in stock first. */
    private static Charged charge(Quote quote, PaymentDetails payer, Reservation reservation, Ctx ctx) {
        try {
            return ctx.call(Charge.class, new ChargeRequest(quote.totalCents(), quote.currency(), payer.card(), reservation.id()));
        } catch (NanoException | RefusedException e) {
            release(reservation, e, ctx);
            throw e;
        }
    }

    /**
     * Records the paid order. Should that fail, the customer has paid for the reserved items:
     * they stay reserved, and the log says which charge and reservation to settle.
     */
    private static Order record(RecordOrder.PaidOrder paid, Ctx ctx) {
        try {
            return ctx.call(RecordOrder.class, paid);
        } catch (NanoException | RefusedException e) {
            ctx.log().log(System.Logger.Level.ERROR, "charge " + paid.chargeId() + " is paid, but its order was not recorded;"
                    + " reservation " + paid.reservationId() + " still holds the items: " + e.getMessage());
            throw e;
        }
    }

    /** Puts the reserved items back after a charge that did not go through; the charge's outcome is the one to report. */
    private static void release(Reservation reservation, RuntimeException chargeOutcome, Ctx ctx) {
        try {
            ctx.call(ReleaseStock.class, reservation);
        } catch (NanoException | RefusedException e) {
            chargeOutcome.addSuppressed(e);
            ctx.log().log(System.Logger.Level.ERROR, "reservation " + reservation.id() + " could not be released: " + e.getMessage());
        }
    }

    /** Runs a step that follows a sale; its failure is logged, not thrown, since the customer has paid and the order stands. */
    private static void afterSale(Order order, Ctx ctx, Runnable step) {
        try {
            step.run();
        } catch (NanoException | RefusedException e) {
            ctx.log().log(System.Logger.Level.WARNING, "order " + order.id() + " is placed, but " + e.getMessage());
        }
    }
}
