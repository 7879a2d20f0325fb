package shop;

/** A function that uses the shop's database: when its revision retires, the revision's connections close. */
public interface UsesDb extends AutoCloseable {

    @Override
    default void close() {
        Db.release();
    }
}
