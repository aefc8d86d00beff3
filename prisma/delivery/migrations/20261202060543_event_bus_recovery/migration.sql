-- AlterTable
ALTER TABLE "outbox_event" ADD COLUMN     "stream_entry_id" TEXT;

-- CreateTable
CREATE TABLE "outbox_stream" (
    "stream" TEXT NOT NULL,
    "last_entry_id" TEXT NOT NULL,

    CONSTRAINT "outbox_stream_pkey" PRIMARY KEY ("stream")
);

-- CreateTable
CREATE TABLE "outbox_consumer_group" (
    "stream" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "acknowledged_below" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "outbox_consumer_group_pkey" PRIMARY KEY ("stream","name")
);

-- CreateTable
CREATE TABLE "dead_letter" (
    "id" BIGSERIAL NOT NULL,
    "stream" TEXT NOT NULL,
    "entry_id" TEXT NOT NULL,
    "type" TEXT,
    "envelope" TEXT,
    "error" TEXT NOT NULL,
    "deliveries" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dead_letter_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "dead_letter_stream_entry_id_key" ON "dead_letter"("stream", "entry_id");
