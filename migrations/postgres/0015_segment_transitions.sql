CREATE TABLE "member_segments" (
	"member_id" bigint PRIMARY KEY NOT NULL,
	"community_id" bigint NOT NULL,
	"segment" text NOT NULL,
	"since_day" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segment_transitions" (
	"community_id" bigint NOT NULL,
	"day" text NOT NULL,
	"from_segment" text NOT NULL,
	"to_segment" text NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "segment_transitions_community_id_day_from_segment_to_segment_pk" PRIMARY KEY("community_id","day","from_segment","to_segment")
);
--> statement-breakpoint
ALTER TABLE "member_segments" ADD CONSTRAINT "member_segments_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_segments" ADD CONSTRAINT "member_segments_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segment_transitions" ADD CONSTRAINT "segment_transitions_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "member_segments_community" ON "member_segments" USING btree ("community_id");