-- CreateEnum
CREATE TYPE "ChargeAttemptStatus" AS ENUM ('PENDING', 'APPROVED', 'DECLINED');

-- CreateEnum
CREATE TYPE "PointsEntryKind" AS ENUM ('EARNED', 'REVERSED');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "PaymentStatus" ADD VALUE 'PENDING' BEFORE 'CAPTURED';
ALTER TYPE "PaymentStatus" ADD VALUE 'REFUNDING' BEFORE 'REFUNDED';
ALTER TYPE "PaymentStatus" ADD VALUE 'CANCELED';

-- AlterTable: payments made before fees were recorded keep 0 for them, and their attempts count as their version.
ALTER TABLE "payment" ADD COLUMN     "delivery_fee_won" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "express_fee_won" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "order_closed_at" TIMESTAMPTZ(3),
ADD COLUMN     "points_earned" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1,
ALTER COLUMN "card_last4" DROP NOT NULL;
UPDATE "payment" SET "version" = "attempts";
ALTER TABLE "payment" DROP COLUMN "attempts",
ALTER COLUMN "delivery_fee_won" DROP DEFAULT,
ALTER COLUMN "express_fee_won" DROP DEFAULT,
ALTER COLUMN "version" DROP DEFAULT;

-- CreateTable
CREATE TABLE "charge_attempt" (
    "key" TEXT NOT NULL,
    "payment_id" UUID NOT NULL,
    "card_token" TEXT NOT NULL,
    "card_last4" TEXT NOT NULL,
    "amount_won" INTEGER NOT NULL,
    "status" "ChargeAttemptStatus" NOT NULL,
    "decline_reason" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "settled_at" TIMESTAMPTZ(3),

    CONSTRAINT "charge_attempt_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "points_entry" (
    "id" UUID NOT NULL,
    "customer_id" TEXT NOT NULL,
    "order_id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "kind" "PointsEntryKind" NOT NULL,
    "points" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "points_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "simulated_card_operation" (
    "idempotency_key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "amount_won" INTEGER NOT NULL,
    "approved" BOOLEAN NOT NULL,
    "decline_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "simulated_card_operation_pkey" PRIMARY KEY ("idempotency_key")
);

-- CreateIndex
CREATE INDEX "charge_attempt_payment_id_started_at_idx" ON "charge_attempt"("payment_id", "started_at");

-- CreateIndex
CREATE INDEX "charge_attempt_status_started_at_idx" ON "charge_attempt"("status", "started_at");

-- CreateIndex
CREATE INDEX "points_entry_customer_id_created_at_idx" ON "points_entry"("customer_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "points_entry_payment_id_kind_key" ON "points_entry"("payment_id", "kind");

-- CreateIndex
CREATE INDEX "payment_status_idx" ON "payment"("status");

-- AddForeignKey
ALTER TABLE "charge_attempt" ADD CONSTRAINT "charge_attempt_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
