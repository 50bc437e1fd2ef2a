-- An override (item profile) can target a state's initial value: TargetObjectType STATE.
ALTER TABLE "scenario_item_profiles" DROP CONSTRAINT "ck_scenario_item_profiles_target_type";
ALTER TABLE "scenario_item_profiles" ADD CONSTRAINT "ck_scenario_item_profiles_target_type" CHECK ("target_object_type" IN ('model', 'activity', 'resource', 'generator', 'entity', 'connector', 'resource_requirement', 'state'));
