-- AlterEnum
ALTER TYPE "TicketStatus" ADD VALUE 'DELIVERED' AFTER 'READY';

-- AlterTable
ALTER TABLE "store" DROP COLUMN "delivery_fee_won";

-- AlterTable
ALTER TABLE "kitchen_ticket" ADD COLUMN     "reason" TEXT;

-- CreateTable
CREATE TABLE "early_cancellation" (
    "order_id" UUID NOT NULL,
    "store_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "reason" TEXT,
    "actor_role" TEXT NOT NULL,
    "actor_id" TEXT,
    "canceled_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "early_cancellation_pkey" PRIMARY KEY ("order_id")
);

-- CreateTable
CREATE TABLE "review" (
    "order_id" UUID NOT NULL,
    "store_id" TEXT NOT NULL,
    "customer_id" TEXT NOT NULL,
    "stars" INTEGER NOT NULL,
    "comment" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "review_pkey" PRIMARY KEY ("order_id")
);

-- CreateIndex
CREATE INDEX "review_store_id_created_at_idx" ON "review"("store_id", "created_at");

-- AddForeignKey
ALTER TABLE "review" ADD CONSTRAINT "review_store_id_fkey" FOREIGN KEY ("store_id") REFERENCES "store"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
