package shop.orders;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import dev.nanolith.RefusedException;
import java.util.Optional;
import shop.Problem;
import shop.auth.Authenticate;
import shop.auth.Customer;
import shop.checkout.Basket;
import shop.checkout.PlaceOrder;
import shop.checkout.PlacedOrder;
import shop.invoice.IssueInvoice;
import shop.shipping.ScheduleShipment;
import shop.validation.ValidateOrder;

/**
 * Creates an order from start to end: authenticates the customer, validates the order, checks
 * it out, invoices it and books its shipment.
 *
 * <p>One operation through auth, validation, pricing, inventory, payment, invoice, shipping,
 * notification, reporting and analytics: a call to each, all in this process unless the
 * placement says otherwise. An unknown token is refused with 403 {@code invalid-token}, an order
 * with mistakes with 422 under the first one's code; the checkout's refusals reach the client
 * as they are.
 */
public final class CreateOrder implements Nano<OrderRequest, CreatedOrder> {

    @Override
    public CreatedOrder apply(OrderRequest request, Ctx ctx) {
        Optional<Customer> customer = ctx.call(Authenticate.class, new Authenticate.Credentials(request.token()));
        if (customer.isEmpty()) {
            // 403, not 401: the token travels in the body, so there is no HTTP authentication scheme to challenge with.
            throw RefusedException.withStatus(403, "invalid-token", "the token is not valid — use the token you got when you signed up");
        }
        ValidateOrder.Verdict verdict = ctx.call("validation.validate-order", request, ValidateOrder.Verdict.class);
        if (!verdict.problems().isEmpty()) {
            throw RefusedException.invalid(verdict.problems().getFirst().code(), Problem.messages(verdict.problems()));
        }
        PlacedOrder placed = ctx.call(PlaceOrder.class, new Basket(customer.get().id(), request.items()));
        IssueInvoice.Invoice invoice = ctx.call(IssueInvoice.class, new IssueInvoice.InvoiceRequest(placed.orderId()));
        ScheduleShipment.Shipment shipment = ctx.call(ScheduleShipment.class,
                new ScheduleShipment.ShipmentRequest(placed.orderId(), request.shipTo()));
        return new CreatedOrder(placed.orderId(), placed.totalCents(), invoice.number(), shipment.carrier(), shipment.trackingNumber());
    }
}
