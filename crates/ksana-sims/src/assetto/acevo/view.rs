//! Typed views of AC Evo's pages: [`PhysicsView`], [`GraphicsView`], [`StaticView`].
//!
//! Physics is ACC's 800-byte layout with two renames (`brakeTorque`, `roadVibrations`), so it
//! reuses the AC/ACC accessor macros. Graphics and static are Evo's own: 1-byte strings
//! (decoded as UTF-8, lossy), C++ `bool`s, `uint64_t` car ids at 4-byte alignment and embedded
//! `SMEvo*` structs (returned by value; their snapshots decode them).

use crate::assetto::ac::view::physics_common_accessors;
use crate::assetto::acc::view::physics_tail_accessors;
use crate::assetto::enums::{
    EvoCarLocation, EvoEngineType, EvoFlagType, EvoSessionType, EvoStartingGrip, Status,
};
use crate::assetto::strings::utf8_z;

pub use super::layout::{
    AssistsState, AssistsStateSnapshot, DamageState, DamageStateSnapshot, Electronics,
    ElectronicsSnapshot, Graphics, GraphicsSnapshot, Instrumentation, InstrumentationSnapshot,
    Physics, PhysicsSnapshot, PitInfo, PitInfoSnapshot, SessionState, SessionStateSnapshot, Static,
    StaticSnapshot, TimingState, TimingStateSnapshot, TyreState, TyreStateSnapshot,
};
pub use crate::assetto::page::{LayoutError, View};

/// A view of the Evo physics page (`Local\acevo_pmf_physics`, 800 bytes).
pub type PhysicsView<'a> = View<'a, Physics>;
/// A view of the Evo graphics page (`Local\acevo_pmf_graphics`, 4900 bytes).
pub type GraphicsView<'a> = View<'a, Graphics>;
/// A view of the Evo static page (`Local\acevo_pmf_static`, 208 bytes).
pub type StaticView<'a> = View<'a, Static>;

/// Cars the graphics page has room for (`car_coordinates[60]`, `car_ids[60]`).
pub const MAX_CARS: usize = 60;

impl View<'_, Physics> {
    physics_common_accessors!();
    physics_tail_accessors!();

    /// Brake torque per wheel (ACC's `brakePressure` slot).
    pub fn brake_torque(&self) -> [f32; 4] {
        self.raw().brake_torque
    }

    /// Road vibration (ACC's `gVibrations` slot).
    pub fn road_vibrations(&self) -> f32 {
        self.raw().road_vibrations
    }

    /// An owned, decoded copy of the page.
    pub fn snapshot(&self) -> PhysicsSnapshot {
        PhysicsSnapshot::from(self.raw())
    }
}

fn on(v: u8) -> bool {
    v != 0
}

impl View<'_, Graphics> {
    /// Update counter (`packetId`).
    pub fn packet_id(&self) -> i32 {
        self.raw().packet_id
    }
    /// Off, replay, live or pause.
    pub fn status(&self) -> Status {
        self.raw().status.into()
    }
    /// Id of the car the camera follows (`focused_car_id_a`, `_b`).
    pub fn focused_car_id(&self) -> (u64, u64) {
        let r = self.raw();
        ({ r.focused_car_id_a }, { r.focused_car_id_b })
    }
    /// Id of the player's car (`player_car_id_a`, `_b`).
    pub fn player_car_id(&self) -> (u64, u64) {
        let r = self.raw();
        ({ r.player_car_id_a }, { r.player_car_id_b })
    }
    /// Engine RPM as the dashboard shows it.
    pub fn rpm(&self) -> u16 {
        self.raw().rpm
    }
    /// RPM limiter on.
    pub fn is_rpm_limiter_on(&self) -> bool {
        on(self.raw().is_rpm_limiter_on)
    }
    /// Shift-up light.
    pub fn is_change_up_rpm(&self) -> bool {
        on(self.raw().is_change_up_rpm)
    }
    /// Shift-down light.
    pub fn is_change_down_rpm(&self) -> bool {
        on(self.raw().is_change_down_rpm)
    }
    /// Traction control intervening (`tc_active`).
    pub fn tc_in_action(&self) -> bool {
        on(self.raw().tc_active)
    }
    /// ABS intervening (`abs_active`).
    pub fn abs_in_action(&self) -> bool {
        on(self.raw().abs_active)
    }
    /// Stability control intervening.
    pub fn esc_active(&self) -> bool {
        on(self.raw().esc_active)
    }
    /// Launch control active.
    pub fn launch_active(&self) -> bool {
        on(self.raw().launch_active)
    }
    /// Ignition on.
    pub fn is_ignition_on(&self) -> bool {
        on(self.raw().is_ignition_on)
    }
    /// Engine running.
    pub fn is_engine_running(&self) -> bool {
        on(self.raw().is_engine_running)
    }
    /// Driving the wrong way.
    pub fn is_wrong_way(&self) -> bool {
        on(self.raw().is_wrong_way)
    }
    /// DRS may be opened here.
    pub fn is_drs_available(&self) -> bool {
        on(self.raw().is_drs_available)
    }
    /// DRS open (`electronics.is_drs_open`).
    pub fn drs_enabled(&self) -> bool {
        on(self.raw().electronics.is_drs_open)
    }
    /// Pit limiter on (`electronics.is_pitlimiter_on`).
    pub fn pit_limiter_on(&self) -> bool {
        on(self.raw().electronics.is_pitlimiter_on)
    }
    /// Speed shown on the dashboard, km/h.
    pub fn speed_kmh(&self) -> i16 {
        self.raw().display_speed_kmh
    }
    /// Speed shown on the dashboard, mph.
    pub fn speed_mph(&self) -> i16 {
        self.raw().display_speed_mph
    }
    /// Gear as the dashboard shows it (`gear_int`; physics `gear` has AC's offset convention).
    pub fn gear_int(&self) -> i16 {
        self.raw().gear_int
    }
    /// RPM as a fraction of the range.
    pub fn rpm_percent(&self) -> f32 {
        self.raw().rpm_percent
    }
    /// Throttle.
    pub fn gas_percent(&self) -> f32 {
        self.raw().gas_percent
    }
    /// Brake.
    pub fn brake_percent(&self) -> f32 {
        self.raw().brake_percent
    }
    /// Clutch.
    pub fn clutch_percent(&self) -> f32 {
        self.raw().clutch_percent
    }
    /// Fuel in the tank, litres (`fuel_liter_current_quantity`).
    pub fn fuel(&self) -> f32 {
        self.raw().fuel_liter_current_quantity
    }
    /// Tank capacity, litres.
    pub fn max_fuel(&self) -> f32 {
        self.raw().max_fuel
    }
    /// Fuel per lap, litres.
    pub fn fuel_per_lap(&self) -> f32 {
        self.raw().fuel_per_lap
    }
    /// Laps the fuel lasts.
    pub fn fuel_estimated_laps(&self) -> f32 {
        self.raw().fuel_estimated_laps
    }
    /// Water temperature, °C.
    pub fn water_temperature_c(&self) -> i8 {
        self.raw().water_temperature_c
    }
    /// Air temperature, °C.
    pub fn air_temperature_c(&self) -> i8 {
        self.raw().air_temperature_c
    }
    /// Oil temperature, °C.
    pub fn oil_temperature_c(&self) -> f32 {
        self.raw().oil_temperature_c
    }
    /// G forces (x, y, z).
    pub fn g_forces(&self) -> [f32; 3] {
        let r = self.raw();
        [r.g_forces_x, r.g_forces_y, r.g_forces_z]
    }
    /// Time of day (hours, minutes, seconds).
    pub fn time_of_day(&self) -> (i32, i32, i32) {
        let r = self.raw();
        (
            r.time_of_day_hours,
            r.time_of_day_minutes,
            r.time_of_day_seconds,
        )
    }
    /// Delta to the best lap, ms.
    pub fn delta_time_ms(&self) -> i32 {
        self.raw().delta_time_ms
    }
    /// Current lap time, ms.
    pub fn current_lap_time_ms(&self) -> i32 {
        self.raw().current_lap_time_ms
    }
    /// Current lap time; `None` if negative or `i32::MAX`.
    pub fn current_lap_time(&self) -> Option<std::time::Duration> {
        crate::assetto::ac::view::lap_time(self.raw().current_lap_time_ms, true)
    }
    /// Predicted lap time, ms.
    pub fn predicted_lap_time_ms(&self) -> i32 {
        self.raw().predicted_lap_time_ms
    }
    /// Last lap time, ms.
    pub fn last_lap_time_ms(&self) -> i32 {
        self.raw().last_laptime_ms
    }
    /// Last lap time; `None` before the first lap.
    pub fn last_lap(&self) -> Option<std::time::Duration> {
        crate::assetto::ac::view::lap_time(self.raw().last_laptime_ms, false)
    }
    /// Best lap time, ms.
    pub fn best_lap_time_ms(&self) -> i32 {
        self.raw().best_laptime_ms
    }
    /// Best lap time; `None` before the first valid lap.
    pub fn best_lap(&self) -> Option<std::time::Duration> {
        crate::assetto::ac::view::lap_time(self.raw().best_laptime_ms, false)
    }
    /// Position along the lap, 0..1 (`npos`).
    pub fn normalized_car_position(&self) -> f32 {
        self.raw().npos
    }
    /// Pit lane, pit entry/exit or track.
    pub fn car_location(&self) -> EvoCarLocation {
        self.raw().car_location.into()
    }
    /// Flag shown to the driver.
    pub fn flag(&self) -> EvoFlagType {
        self.raw().flag.into()
    }
    /// Flag of the whole track.
    pub fn global_flag(&self) -> EvoFlagType {
        self.raw().global_flag.into()
    }
    /// Combustion or electric.
    pub fn engine_type(&self) -> EvoEngineType {
        self.raw().engine_type.into()
    }
    /// Gears of the car.
    pub fn max_gears(&self) -> u32 {
        self.raw().max_gears
    }
    /// Race position (`current_pos`).
    pub fn position(&self) -> u32 {
        self.raw().current_pos
    }
    /// Drivers in the session.
    pub fn total_drivers(&self) -> u32 {
        self.raw().total_drivers
    }
    /// Laps driven (`total_lap_count`).
    pub fn completed_laps(&self) -> i32 {
        self.raw().total_lap_count
    }
    /// Current lap (`session_state.current_lap`).
    pub fn lap(&self) -> i32 {
        self.raw().session_state.current_lap
    }
    /// Laps of the session (`session_state.total_lap`).
    pub fn total_laps(&self) -> i32 {
        self.raw().session_state.total_lap
    }
    /// On the last lap.
    pub fn is_last_lap(&self) -> bool {
        on(self.raw().is_last_lap)
    }
    /// Car has KERS.
    pub fn has_kers(&self) -> bool {
        on(self.raw().has_kers)
    }
    /// Name of the active performance mode.
    pub fn performance_mode_name(&self) -> String {
        utf8_z(&self.raw().performance_mode_name)
    }
    /// Driver first name.
    pub fn driver_name(&self) -> String {
        utf8_z(&self.raw().driver_name)
    }
    /// Driver surname.
    pub fn driver_surname(&self) -> String {
        utf8_z(&self.raw().driver_surname)
    }
    /// Car model.
    pub fn car_model(&self) -> String {
        utf8_z(&self.raw().car_model)
    }
    /// In the pit box.
    pub fn is_in_pit_box(&self) -> bool {
        on(self.raw().is_in_pit_box)
    }
    /// In the pit lane.
    pub fn is_in_pit_lane(&self) -> bool {
        on(self.raw().is_in_pit_lane)
    }
    /// Current lap valid.
    pub fn is_valid_lap(&self) -> bool {
        on(self.raw().is_valid_lap)
    }
    /// Gap to the car ahead.
    pub fn gap_ahead(&self) -> f32 {
        self.raw().gap_ahead
    }
    /// Gap to the car behind.
    pub fn gap_behind(&self) -> f32 {
        self.raw().gap_behind
    }
    /// Cars in the session, as the page claims.
    pub fn active_cars(&self) -> u8 {
        self.raw().active_cars
    }
    fn active_len(&self) -> usize {
        usize::from(self.raw().active_cars).min(MAX_CARS)
    }
    /// Positions of the active cars (first `active_cars` entries, at most 60).
    pub fn car_coordinates(&self) -> &[[f32; 3]] {
        &self.raw().car_coordinates[..self.active_len()]
    }
    /// Ids (a, b) of the active cars, parallel to [`Self::car_coordinates`].
    pub fn car_ids(&self) -> Vec<(u64, u64)> {
        let ids = { self.raw().car_ids };
        ids[..self.active_len()]
            .iter()
            .map(|p| (p[0], p[1]))
            .collect()
    }
    /// One tyre's state, wheel 0..4 = FL FR RL RR; `None` for another index.
    pub fn tyre(&self, wheel: usize) -> Option<TyreState> {
        let r = self.raw();
        Some(match wheel {
            0 => r.tyre_lf,
            1 => r.tyre_rf,
            2 => r.tyre_lr,
            3 => r.tyre_rr,
            _ => return None,
        })
    }
    fn per_tyre(&self, f: impl Fn(&TyreState) -> f32) -> [f32; 4] {
        let r = self.raw();
        [f(&r.tyre_lf), f(&r.tyre_rf), f(&r.tyre_lr), f(&r.tyre_rr)]
    }
    /// Tyre pressures (`tyre_pression`), FL FR RL RR.
    pub fn tyre_pressures(&self) -> [f32; 4] {
        self.per_tyre(|t| t.tyre_pression)
    }
    /// Tyre temperatures (`tyre_temperature_c`), °C, FL FR RL RR.
    pub fn tyre_temps(&self) -> [f32; 4] {
        self.per_tyre(|t| t.tyre_temperature_c)
    }
    /// Brake temperatures, °C, FL FR RL RR.
    pub fn brake_temps(&self) -> [f32; 4] {
        self.per_tyre(|t| t.brake_temperature_c)
    }
    /// Wheels locked, FL FR RL RR.
    pub fn tyre_locked(&self) -> [bool; 4] {
        let r = self.raw();
        [
            on(r.tyre_lf.lock),
            on(r.tyre_rf.lock),
            on(r.tyre_lr.lock),
            on(r.tyre_rr.lock),
        ]
    }
    /// Front tyre compound name (of the front-left tyre).
    pub fn tyre_compound_front(&self) -> String {
        utf8_z(&self.raw().tyre_lf.tyre_compound_front)
    }
    /// Car damage.
    pub fn car_damage(&self) -> DamageState {
        self.raw().car_damage
    }
    /// Pit-stop request.
    pub fn pit_info(&self) -> PitInfo {
        self.raw().pit_info
    }
    /// Electronics settings.
    pub fn electronics(&self) -> Electronics {
        self.raw().electronics
    }
    /// Lights, wipers, displays.
    pub fn instrumentation(&self) -> Instrumentation {
        self.raw().instrumentation
    }
    /// Session phase and timing texts.
    pub fn session_state(&self) -> SessionState {
        self.raw().session_state
    }
    /// Session phase name (`session_state.phase_name`).
    pub fn session_phase_name(&self) -> String {
        utf8_z(&self.raw().session_state.phase_name)
    }
    /// Lap timing texts.
    pub fn timing_state(&self) -> TimingState {
        self.raw().timing_state
    }
    /// Current lap time as text (`timing_state.current_laptime`).
    pub fn current_time_text(&self) -> String {
        utf8_z(&self.raw().timing_state.current_laptime)
    }
    /// Last lap time as text.
    pub fn last_time_text(&self) -> String {
        utf8_z(&self.raw().timing_state.last_laptime)
    }
    /// Best lap time as text.
    pub fn best_time_text(&self) -> String {
        utf8_z(&self.raw().timing_state.best_laptime)
    }
    /// Driving assists.
    pub fn assists_state(&self) -> AssistsState {
        self.raw().assists_state
    }
    /// One tyre compound for the whole car.
    pub fn use_single_compound(&self) -> bool {
        on(self.raw().use_single_compound)
    }

    /// An owned, decoded copy of the page.
    pub fn snapshot(&self) -> GraphicsSnapshot {
        GraphicsSnapshot::from(self.raw())
    }
}

impl View<'_, Static> {
    /// Shared-memory version.
    pub fn sm_version(&self) -> String {
        utf8_z(&self.raw().sm_version)
    }
    /// Game version.
    pub fn ac_evo_version(&self) -> String {
        utf8_z(&self.raw().ac_evo_version)
    }
    /// Session type.
    pub fn session_type(&self) -> EvoSessionType {
        self.raw().session.into()
    }
    /// Session name.
    pub fn session_name(&self) -> String {
        utf8_z(&self.raw().session_name)
    }
    /// Event id.
    pub fn event_id(&self) -> u8 {
        self.raw().event_id
    }
    /// Session id.
    pub fn session_id(&self) -> u8 {
        self.raw().session_id
    }
    /// Grip at the start.
    pub fn starting_grip(&self) -> EvoStartingGrip {
        self.raw().starting_grip.into()
    }
    /// Ambient temperature at the start, °C.
    pub fn starting_ambient_temperature_c(&self) -> f32 {
        self.raw().starting_ambient_temperature_c
    }
    /// Ground temperature at the start, °C.
    pub fn starting_ground_temperature_c(&self) -> f32 {
        self.raw().starting_ground_temperature_c
    }
    /// Weather fixed.
    pub fn is_static_weather(&self) -> bool {
        on(self.raw().is_static_weather)
    }
    /// Timed race.
    pub fn is_timed_race(&self) -> bool {
        on(self.raw().is_timed_race)
    }
    /// Online session.
    pub fn is_online(&self) -> bool {
        on(self.raw().is_online)
    }
    /// Sessions in the event.
    pub fn number_of_sessions(&self) -> i32 {
        self.raw().number_of_sessions
    }
    /// Nation of the track.
    pub fn nation(&self) -> String {
        utf8_z(&self.raw().nation)
    }
    /// Track longitude, degrees.
    pub fn longitude(&self) -> f32 {
        self.raw().longitude
    }
    /// Track latitude, degrees.
    pub fn latitude(&self) -> f32 {
        self.raw().latitude
    }
    /// Track name.
    pub fn track(&self) -> String {
        utf8_z(&self.raw().track)
    }
    /// Track layout.
    pub fn track_configuration(&self) -> String {
        utf8_z(&self.raw().track_configuration)
    }
    /// Track length, m.
    pub fn track_length_m(&self) -> f32 {
        self.raw().track_length_m
    }

    /// An owned, decoded copy of the page.
    pub fn snapshot(&self) -> StaticSnapshot {
        StaticSnapshot::from(self.raw())
    }
}
