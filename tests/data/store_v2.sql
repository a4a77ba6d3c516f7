-- A learner database written by the tutor before profiles (schema version 2):
-- two sessions, four turns, two review schedules (Store and migrations.py of commit 5c826ec).
PRAGMA user_version = 2;
BEGIN TRANSACTION;
CREATE TABLE reviews (
            card_id TEXT PRIMARY KEY,
            card TEXT NOT NULL,
            due TEXT NOT NULL,
            last_score REAL NOT NULL,
            reps INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        );
INSERT INTO "reviews" VALUES('rag','{"card_id": 0, "state": 1, "step": 1, "stability": 6.574701842817031, "difficulty": 5.102286904192293, "due": "2025-03-03T09:10:00+00:00", "last_review": "2025-03-03T09:00:00+00:00"}','2025-03-03T09:10:00.000000+00:00',3.5,2,'2025-03-03T09:00:00.000000+00:00');
INSERT INTO "reviews" VALUES('lora','{"card_id": 0, "state": 2, "step": null, "stability": 8.2956, "difficulty": 1.0, "due": "2025-03-09T09:02:00+00:00", "last_review": "2025-03-01T09:02:00+00:00"}','2025-03-09T09:02:00.000000+00:00',4.5,1,'2025-03-01T09:02:00.000000+00:00');
CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('active', 'finished', 'abandoned')),
            config TEXT NOT NULL DEFAULT '{}',
            plan TEXT NOT NULL DEFAULT '[]'
        );
INSERT INTO "sessions" VALUES('6c0f1be4-1323-4f2c-bf09-4407b9d199dd','2026-11-30T02:28:34.588232+00:00','2026-11-30T02:28:34.604163+00:00','finished','{"questions": 2, "seed": 1}','["rag", "lora"]');
INSERT INTO "sessions" VALUES('4b0b6923-9333-4151-8635-b6f64d29d673','2026-11-30T02:28:34.608189+00:00','2025-03-03T09:00:00.000000+00:00','active','{"questions": 1}','["rag"]');
CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            question TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('main', 'follow_up')),
            answer TEXT NOT NULL,
            grade TEXT NOT NULL,
            score REAL NOT NULL,
            started_at TEXT NOT NULL,
            graded_at TEXT NOT NULL,
            seconds REAL NOT NULL, topic TEXT NOT NULL DEFAULT '',
            UNIQUE (session_id, position)
        );
INSERT INTO "turns" VALUES(1,'6c0f1be4-1323-4f2c-bf09-4407b9d199dd',0,'rag','What is RAG?','main','It retrieves.','{"score":2.0,"verdict":"partial","question":"Q?","section":"S","card_id":"rag","match_confidence":1.0,"covered":[{"point":"retrieval","status":"covered","evidence":"it retrieves","citation":{"chunk_id":"rag#0","section":"S","quote":"RAG retrieves “passages”."},"similarity":0.8,"weight":1.0,"essential":true,"credit":0.0,"terms_found":[]}],"partial":[],"missing":[{"point":"grounding","status":"missing","evidence":"","citation":{"chunk_id":"rag#0","section":"S","quote":"RAG retrieves “passages”."},"similarity":0.0,"weight":1.0,"essential":true,"credit":0.0,"terms_found":[]}],"incorrect":[],"feedback":"Mention grounding.","follow_up":"How does RAG ground?","follow_up_point":null,"grader":"embedded","warnings":[],"unsupported":[],"breakdown":{}}',2.0,'2025-03-01T08:59:30.000000+00:00','2025-03-01T09:00:00.000000+00:00',30.0,'RAG');
INSERT INTO "turns" VALUES(2,'6c0f1be4-1323-4f2c-bf09-4407b9d199dd',1,'rag','How does RAG ground?','follow_up','With passages.','{"score":4.0,"verdict":"partial","question":"Q?","section":"S","card_id":"rag","match_confidence":1.0,"covered":[{"point":"retrieval","status":"covered","evidence":"it retrieves","citation":{"chunk_id":"rag#0","section":"S","quote":"RAG retrieves “passages”."},"similarity":0.8,"weight":1.0,"essential":true,"credit":0.0,"terms_found":[]}],"partial":[],"missing":[{"point":"grounding","status":"missing","evidence":"","citation":{"chunk_id":"rag#0","section":"S","quote":"RAG retrieves “passages”."},"similarity":0.0,"weight":1.0,"essential":true,"credit":0.0,"terms_found":[]}],"incorrect":[],"feedback":"Mention grounding.","follow_up":"How does RAG ground?","follow_up_point":null,"grader":"embedded","warnings":[],"unsupported":[],"breakdown":{}}',4.0,'2025-03-01T09:00:48.000000+00:00','2025-03-01T09:01:00.000000+00:00',12.0,'RAG');
INSERT INTO "turns" VALUES(3,'6c0f1be4-1323-4f2c-bf09-4407b9d199dd',2,'lora','What is LoRA?','main','Low-rank adapters ✓','{"score":4.5,"verdict":"partial","question":"Q?","section":"S","card_id":"lora","match_confidence":1.0,"covered":[{"point":"retrieval","status":"covered","evidence":"it retrieves","citation":{"chunk_id":"lora#0","section":"S","quote":"RAG retrieves “passages”."},"similarity":0.8,"weight":1.0,"essential":true,"credit":0.0,"terms_found":[]}],"partial":[],"missing":[{"point":"grounding","status":"missing","evidence":"","citation":{"chunk_id":"lora#0","section":"S","quote":"RAG retrieves “passages”."},"similarity":0.0,"weight":1.0,"essential":true,"credit":0.0,"terms_found":[]}],"incorrect":[],"feedback":"Mention grounding.","follow_up":"How does RAG ground?","follow_up_point":null,"grader":"embedded","warnings":[],"unsupported":[],"breakdown":{}}',4.5,'2025-03-01T09:01:40.000000+00:00','2025-03-01T09:02:00.000000+00:00',20.0,'Fine-tuning');
INSERT INTO "turns" VALUES(4,'4b0b6923-9333-4151-8635-b6f64d29d673',0,'rag','What is RAG?','main','Retrieval then generation.','{"score":3.5,"verdict":"partial","question":"Q?","section":"S","card_id":"rag","match_confidence":1.0,"covered":[{"point":"retrieval","status":"covered","evidence":"it retrieves","citation":{"chunk_id":"rag#0","section":"S","quote":"RAG retrieves “passages”."},"similarity":0.8,"weight":1.0,"essential":true,"credit":0.0,"terms_found":[]}],"partial":[],"missing":[{"point":"grounding","status":"missing","evidence":"","citation":{"chunk_id":"rag#0","section":"S","quote":"RAG retrieves “passages”."},"similarity":0.0,"weight":1.0,"essential":true,"credit":0.0,"terms_found":[]}],"incorrect":[],"feedback":"Mention grounding.","follow_up":"How does RAG ground?","follow_up_point":null,"grader":"embedded","warnings":[],"unsupported":[],"breakdown":{}}',3.5,'2025-03-03T08:59:51.000000+00:00','2025-03-03T09:00:00.000000+00:00',9.0,'RAG');
CREATE INDEX sessions_by_status ON sessions (status, updated_at);
CREATE INDEX turns_by_card ON turns (card_id);
CREATE INDEX reviews_by_due ON reviews (due);
CREATE INDEX turns_by_topic ON turns (topic);
COMMIT;
