/**
 * The most one order may cost, delivery included: ₩100,000,000. The payment side refuses to
 * charge more, so the order side refuses to place such an order rather than save one that
 * can never be paid.
 */
export const maxOrderTotalWon = 100_000_000;
