-- AlterTable
ALTER TABLE "store_replica" DROP COLUMN "delivery_fee_won";

-- AlterTable
ALTER TABLE "order" ADD COLUMN     "idempotency_key" TEXT,
ADD COLUMN     "request_digest" TEXT;

-- CreateIndex
CREATE INDEX "order_status_created_at_idx" ON "order"("status", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "order_customer_id_idempotency_key_key" ON "order"("customer_id", "idempotency_key");
