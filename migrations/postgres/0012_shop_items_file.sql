ALTER TABLE "shop_items" ADD COLUMN "managed_by" text;--> statement-breakpoint
ALTER TABLE "shop_items" ADD COLUMN "file_spec" text;