ALTER TABLE "shop_items" ADD COLUMN "role_id" text;--> statement-breakpoint
ALTER TABLE "shop_items" ADD COLUMN "role_days" bigint;--> statement-breakpoint
ALTER TABLE "shop_orders" ADD COLUMN "expires_at" bigint;