ALTER TABLE "lotteries" ADD COLUMN "remind" text;--> statement-breakpoint
ALTER TABLE "lotteries" ADD COLUMN "reminded_ms" bigint;