package shop.pricing;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.util.List;
import java.util.Map;
import shop.Item;
import shop.catalog.FindProducts;
import shop.catalog.Product;

/** Prices items at their catalog prices and adds the shipping fee, which is waived above a set amount. */
public final class PriceOrder implements Nano<List<Item>, Quote> {

    @Override
    public Quote apply(List<Item> items, Ctx ctx) {
        Map<String, Product> products = ctx.call(FindProducts.class, items.stream().map(Item::sku).toList());
        List<Quote.Line> lines = items.stream().map(item -> {
            Product product = products.get(item.sku());
            if (product == null) {
                throw new IllegalArgumentException("there is no product " + item.sku() + " to price — verify the items first");
            }
            return new Quote.Line(product.sku(), product.name(), item.quantity(), product.priceCents());
        }).toList();
        long subtotal = lines.stream().mapToLong(Quote.Line::totalCents).sum();
        boolean free = subtotal >= Long.parseLong(ctx.config("free-shipping-from-cents"));
        long shipping = free ? 0 : Long.parseLong(ctx.config("shipping-cents"));
        return new Quote(lines, subtotal, shipping, subtotal + shipping, ctx.config("currency"));
    }
}
