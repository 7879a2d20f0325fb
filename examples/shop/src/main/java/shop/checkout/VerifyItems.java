package shop.checkout;

import dev.nanolith.Ctx;
import dev.nanolith.Nano;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import shop.Item;
import shop.Problem;
import shop.catalog.FindProducts;
import shop.catalog.Product;
import shop.inventory.CheckStock;
import shop.inventory.Shortage;

/**
 * Verifies that every item in a basket can be bought: the quantity is at least 1, the product
 * exists and enough of it is in stock. Gives every problem found, the basket's mistakes before its
 * shortages; none means the basket can be bought.
 */
public final class VerifyItems implements Nano<List<Item>, List<Problem>> {

    @Override
    public List<Problem> apply(List<Item> items, Ctx ctx) {
        if (items.isEmpty()) {
            return List.of(new Problem("empty-basket", "the basket is empty — add at least one item"));
        }
        List<Problem> problems = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        items.stream().map(Item::sku).filter(sku -> !seen.add(sku)).distinct()
                .forEach(sku -> problems.add(new Problem("duplicate-sku",
                        sku + " is in the basket more than once — give it once, with the total quantity")));
        Map<String, Product> products = ctx.call(FindProducts.class, List.copyOf(seen));
        List<Item> known = new ArrayList<>();
        for (Item item : items) {
            if (item.quantity() < 1) {
                problems.add(new Problem("bad-quantity", "the quantity of " + item.sku() + " must be at least 1, not " + item.quantity()));
            } else if (!products.containsKey(item.sku())) {
                problems.add(new Problem("unknown-sku", "there is no product " + item.sku() + " — catalog.list-products lists them"));
            } else {
                known.add(item);
            }
        }
        if (!known.isEmpty()) {
            ctx.call(CheckStock.class, known).stream().map(Shortage::problem).forEach(problems::add);
        }
        return problems;
    }
}
