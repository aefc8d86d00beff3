-- CreateTable
CREATE TABLE "canceled_order" (
    "order_id" UUID NOT NULL,
    "reason" TEXT,
    "canceled_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "canceled_order_pkey" PRIMARY KEY ("order_id")
);
