-- AlterTable: deliveries offered before express existed were standard, their fee all delivery fee.
ALTER TABLE "delivery" ADD COLUMN     "cancel_reason" TEXT,
ADD COLUMN     "delivery_fee_won" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "express_fee_won" INTEGER NOT NULL DEFAULT 0;
UPDATE "delivery" SET "delivery_fee_won" = "fee_won";
ALTER TABLE "delivery" ALTER COLUMN "delivery_fee_won" DROP DEFAULT,
ALTER COLUMN "express_fee_won" DROP DEFAULT;
