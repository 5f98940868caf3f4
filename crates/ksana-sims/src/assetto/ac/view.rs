//! Typed views of Assetto Corsa's pages: [`PhysicsView`], [`GraphicsView`], [`StaticView`].
//!
//! Build one from page bytes with `PhysicsView::new(bytes)` (length checked, see
//! [`View`]); read members through the accessors (enums typed, flags as `bool`, strings as
//! `String`, AC's gear convention decoded), everything else through `raw()`, or take an owned
//! `snapshot()`. The accessors shared with ACC and AC Evo (same member names) are defined once
//! by the macros here and reused by `acc::view` and `acevo::view`.

use std::time::Duration;

pub use super::layout::{
    Graphics, GraphicsSnapshot, Physics, PhysicsSnapshot, Static, StaticSnapshot,
};
pub use crate::assetto::page::{LayoutError, View};

/// A view of the AC physics page (`Local\acpmf_physics`, 580 bytes).
pub type PhysicsView<'a> = View<'a, Physics>;
/// A view of the AC graphics page (`Local\acpmf_graphics`, 296 bytes).
pub type GraphicsView<'a> = View<'a, Graphics>;
/// A view of the AC static page (`Local\acpmf_static`, 684 bytes).
pub type StaticView<'a> = View<'a, Static>;

/// A lap time in milliseconds as the graphics page writes it: `None` when not set (0 or
/// negative for last/best, or `i32::MAX`, ACC's "no time yet").
pub(crate) fn lap_time(ms: i32, zero_is_set: bool) -> Option<Duration> {
    let set = if zero_is_set { ms >= 0 } else { ms > 0 };
    (set && ms != i32::MAX).then(|| Duration::from_millis(ms as u64))
}

/// Accessors on the 580 bytes that AC, ACC, AC Rally and AC Evo physics share (same names).
macro_rules! physics_common_accessors {
    () => {
        /// Update counter (`packetId`).
        pub fn packet_id(&self) -> i32 {
            self.raw().packet_id
        }
        /// Throttle, 0..1.
        pub fn gas(&self) -> f32 {
            self.raw().gas
        }
        /// Brake pedal, 0..1.
        pub fn brake(&self) -> f32 {
            self.raw().brake
        }
        /// Clutch, 0..1.
        pub fn clutch(&self) -> f32 {
            self.raw().clutch
        }
        /// Fuel in the tank, litres.
        pub fn fuel(&self) -> f32 {
            self.raw().fuel
        }
        /// The gear, decoded from AC's convention (raw 0 = R, 1 = N, 2 = first).
        pub fn gear(&self) -> $crate::assetto::enums::Gear {
            $crate::assetto::enums::Gear::from_raw(self.raw().gear)
        }
        /// The gear as the page stores it (0 = R, 1 = N, 2 = first).
        pub fn gear_raw(&self) -> i32 {
            self.raw().gear
        }
        /// Engine RPM.
        pub fn rpm(&self) -> i32 {
            self.raw().rpms
        }
        /// Steering input, -1..1.
        pub fn steer_angle(&self) -> f32 {
            self.raw().steer_angle
        }
        /// Speed, km/h.
        pub fn speed_kmh(&self) -> f32 {
            self.raw().speed_kmh
        }
        /// Velocity in world coordinates, m/s.
        pub fn velocity(&self) -> [f32; 3] {
            self.raw().velocity
        }
        /// Velocity in car coordinates, m/s.
        pub fn local_velocity(&self) -> [f32; 3] {
            self.raw().local_velocity
        }
        /// Acceleration in g.
        pub fn acc_g(&self) -> [f32; 3] {
            self.raw().acc_g
        }
        /// Wheel slip, FL FR RL RR.
        pub fn wheel_slip(&self) -> [f32; 4] {
            self.raw().wheel_slip
        }
        /// Wheel load, N, FL FR RL RR.
        pub fn wheel_load(&self) -> [f32; 4] {
            self.raw().wheel_load
        }
        /// Tyre pressures (`wheelsPressure`), psi, FL FR RL RR.
        pub fn tyre_pressures(&self) -> [f32; 4] {
            self.raw().wheels_pressure
        }
        /// Wheel angular speed, rad/s, FL FR RL RR.
        pub fn wheel_angular_speed(&self) -> [f32; 4] {
            self.raw().wheel_angular_speed
        }
        /// Tyre wear, FL FR RL RR.
        pub fn tyre_wear(&self) -> [f32; 4] {
            self.raw().tyre_wear
        }
        /// Tyre dirt level, FL FR RL RR.
        pub fn tyre_dirty_level(&self) -> [f32; 4] {
            self.raw().tyre_dirty_level
        }
        /// Tyre core temperatures (`tyreCoreTemperature`), FL FR RL RR (°C; Kelvin in AC Rally).
        pub fn tyre_core_temps(&self) -> [f32; 4] {
            self.raw().tyre_core_temperature
        }
        /// Tyre inner-surface temperatures, FL FR RL RR.
        pub fn tyre_temps_inner(&self) -> [f32; 4] {
            self.raw().tyre_temp_i
        }
        /// Tyre middle-surface temperatures, FL FR RL RR.
        pub fn tyre_temps_middle(&self) -> [f32; 4] {
            self.raw().tyre_temp_m
        }
        /// Tyre outer-surface temperatures, FL FR RL RR.
        pub fn tyre_temps_outer(&self) -> [f32; 4] {
            self.raw().tyre_temp_o
        }
        /// Brake temperatures, FL FR RL RR.
        pub fn brake_temps(&self) -> [f32; 4] {
            self.raw().brake_temp
        }
        /// Camber, radians, FL FR RL RR.
        pub fn camber_rad(&self) -> [f32; 4] {
            self.raw().camber_rad
        }
        /// Suspension travel, m, FL FR RL RR.
        pub fn suspension_travel(&self) -> [f32; 4] {
            self.raw().suspension_travel
        }
        /// Damage: front, rear, left, right, centre.
        pub fn car_damage(&self) -> [f32; 5] {
            self.raw().car_damage
        }
        /// Heading (yaw), radians.
        pub fn heading(&self) -> f32 {
            self.raw().heading
        }
        /// Pitch, radians.
        pub fn pitch(&self) -> f32 {
            self.raw().pitch
        }
        /// Roll, radians.
        pub fn roll(&self) -> f32 {
            self.raw().roll
        }
        /// DRS value (`drs`, 1 = open).
        pub fn drs(&self) -> f32 {
            self.raw().drs
        }
        /// Traction-control value (`tc`, 0 = inactive).
        pub fn tc(&self) -> f32 {
            self.raw().tc
        }
        /// ABS value (`abs`, 0 = inactive).
        pub fn abs(&self) -> f32 {
            self.raw().abs
        }
        /// Tyres off the track.
        pub fn number_of_tyres_out(&self) -> i32 {
            self.raw().number_of_tyres_out
        }
        /// Pit limiter engaged.
        pub fn pit_limiter_on(&self) -> bool {
            self.raw().pit_limiter_on != 0
        }
        /// Automatic gearbox engaged.
        pub fn auto_shifter_on(&self) -> bool {
            self.raw().auto_shifter_on != 0
        }
        /// DRS may be opened here.
        pub fn drs_available(&self) -> bool {
            self.raw().drs_available != 0
        }
        /// DRS open.
        pub fn drs_enabled(&self) -> bool {
            self.raw().drs_enabled != 0
        }
        /// ERS charging.
        pub fn ers_is_charging(&self) -> bool {
            self.raw().ers_is_charging != 0
        }
        /// The AI drives the car.
        pub fn is_ai_controlled(&self) -> bool {
            self.raw().is_ai_controlled != 0
        }
        /// KERS charge.
        pub fn kers_charge(&self) -> f32 {
            self.raw().kers_charge
        }
        /// Turbo boost.
        pub fn turbo_boost(&self) -> f32 {
            self.raw().turbo_boost
        }
        /// Air temperature, °C.
        pub fn air_temp(&self) -> f32 {
            self.raw().air_temp
        }
        /// Road temperature, °C.
        pub fn road_temp(&self) -> f32 {
            self.raw().road_temp
        }
        /// Front brake bias, 0..1.
        pub fn brake_bias(&self) -> f32 {
            self.raw().brake_bias
        }
        /// Force-feedback output.
        pub fn final_ff(&self) -> f32 {
            self.raw().final_ff
        }
        /// Performance meter (delta to the best lap), s.
        pub fn performance_meter(&self) -> f32 {
            self.raw().performance_meter
        }
    };
}
pub(crate) use physics_common_accessors;

/// Accessors on the graphics members AC and ACC share by name (all of AC's but
/// `carCoordinates`, whose shape differs).
macro_rules! graphics_common_accessors {
    () => {
        /// Update counter (`packetId`).
        pub fn packet_id(&self) -> i32 {
            self.raw().packet_id
        }
        /// Off, replay, live or pause.
        pub fn status(&self) -> $crate::assetto::enums::Status {
            self.raw().status.into()
        }
        /// Session type.
        pub fn session_type(&self) -> $crate::assetto::enums::SessionType {
            self.raw().session.into()
        }
        /// Current lap time as the game formats it.
        pub fn current_time_text(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().current_time)
        }
        /// Last lap time as text.
        pub fn last_time_text(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().last_time)
        }
        /// Best lap time as text.
        pub fn best_time_text(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().best_time)
        }
        /// Last split as text.
        pub fn split_text(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().split)
        }
        /// Laps completed.
        pub fn completed_laps(&self) -> i32 {
            self.raw().completed_laps
        }
        /// Race position.
        pub fn position(&self) -> i32 {
            self.raw().position
        }
        /// Current lap time, ms (`iCurrentTime`).
        pub fn current_lap_time_ms(&self) -> i32 {
            self.raw().i_current_time
        }
        /// Last lap time, ms (`iLastTime`).
        pub fn last_lap_time_ms(&self) -> i32 {
            self.raw().i_last_time
        }
        /// Best lap time, ms (`iBestTime`).
        pub fn best_lap_time_ms(&self) -> i32 {
            self.raw().i_best_time
        }
        /// Current lap time; `None` if negative or `i32::MAX`.
        pub fn current_lap_time(&self) -> Option<std::time::Duration> {
            $crate::assetto::ac::view::lap_time(self.raw().i_current_time, true)
        }
        /// Last lap time; `None` before the first lap (0) or when unset.
        pub fn last_lap(&self) -> Option<std::time::Duration> {
            $crate::assetto::ac::view::lap_time(self.raw().i_last_time, false)
        }
        /// Best lap time; `None` before the first valid lap (0, or ACC's `i32::MAX`).
        pub fn best_lap(&self) -> Option<std::time::Duration> {
            $crate::assetto::ac::view::lap_time(self.raw().i_best_time, false)
        }
        /// Session time left, ms.
        pub fn session_time_left(&self) -> f32 {
            self.raw().session_time_left
        }
        /// Distance driven this session, m.
        pub fn distance_traveled(&self) -> f32 {
            self.raw().distance_traveled
        }
        /// In the pit box.
        pub fn is_in_pit(&self) -> bool {
            self.raw().is_in_pit != 0
        }
        /// In the pit lane.
        pub fn is_in_pit_lane(&self) -> bool {
            self.raw().is_in_pit_lane != 0
        }
        /// Sector index, from 0.
        pub fn current_sector_index(&self) -> i32 {
            self.raw().current_sector_index
        }
        /// Last sector time, ms.
        pub fn last_sector_time_ms(&self) -> i32 {
            self.raw().last_sector_time
        }
        /// Laps of the session.
        pub fn number_of_laps(&self) -> i32 {
            self.raw().number_of_laps
        }
        /// Tyre compound name.
        pub fn tyre_compound(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().tyre_compound)
        }
        /// Replay speed multiplier.
        pub fn replay_time_multiplier(&self) -> f32 {
            self.raw().replay_time_multiplier
        }
        /// Position along the lap, 0..1.
        pub fn normalized_car_position(&self) -> f32 {
            self.raw().normalized_car_position
        }
        /// Time penalty to serve.
        pub fn penalty_time(&self) -> f32 {
            self.raw().penalty_time
        }
        /// Flag shown to the driver.
        pub fn flag(&self) -> $crate::assetto::enums::FlagType {
            self.raw().flag.into()
        }
        /// Ideal line shown.
        pub fn ideal_line_on(&self) -> bool {
            self.raw().ideal_line_on != 0
        }
        /// Track surface grip.
        pub fn surface_grip(&self) -> f32 {
            self.raw().surface_grip
        }
        /// Mandatory pit stop done.
        pub fn mandatory_pit_done(&self) -> bool {
            self.raw().mandatory_pit_done != 0
        }
        /// Wind speed.
        pub fn wind_speed(&self) -> f32 {
            self.raw().wind_speed
        }
        /// Wind direction.
        pub fn wind_direction(&self) -> f32 {
            self.raw().wind_direction
        }
    };
}
pub(crate) use graphics_common_accessors;

/// Accessors on the 684 bytes of the static page that AC and ACC share.
macro_rules! static_common_accessors {
    () => {
        /// Shared-memory version (`smVersion`): AC "1.7", ACC "1.8"/"1.9".
        pub fn sm_version(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().sm_version)
        }
        /// Game version (`acVersion`).
        pub fn ac_version(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().ac_version)
        }
        /// Sessions in the event.
        pub fn number_of_sessions(&self) -> i32 {
            self.raw().number_of_sessions
        }
        /// Cars in the session.
        pub fn num_cars(&self) -> i32 {
            self.raw().num_cars
        }
        /// Car model id.
        pub fn car_model(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().car_model)
        }
        /// Track id.
        pub fn track(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().track)
        }
        /// Track layout id.
        pub fn track_configuration(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().track_configuration)
        }
        /// Player first name.
        pub fn player_name(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().player_name)
        }
        /// Player surname.
        pub fn player_surname(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().player_surname)
        }
        /// Player nickname.
        pub fn player_nick(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().player_nick)
        }
        /// "Name Surname" (either part may be empty; no stray space).
        pub fn driver_name(&self) -> String {
            let (n, s) = (self.player_name(), self.player_surname());
            match (n.is_empty(), s.is_empty()) {
                (_, true) => n,
                (true, false) => s,
                (false, false) => format!("{n} {s}"),
            }
        }
        /// Car skin id.
        pub fn car_skin(&self) -> String {
            $crate::assetto::strings::utf16_z(&self.raw().car_skin)
        }
        /// Sectors of the track.
        pub fn sector_count(&self) -> i32 {
            self.raw().sector_count
        }
        /// Maximum torque.
        pub fn max_torque(&self) -> f32 {
            self.raw().max_torque
        }
        /// Maximum power.
        pub fn max_power(&self) -> f32 {
            self.raw().max_power
        }
        /// Engine RPM limit.
        pub fn max_rpm(&self) -> i32 {
            self.raw().max_rpm
        }
        /// Tank capacity, litres.
        pub fn max_fuel(&self) -> f32 {
            self.raw().max_fuel
        }
        /// Maximum suspension travel, m, FL FR RL RR.
        pub fn suspension_max_travel(&self) -> [f32; 4] {
            self.raw().suspension_max_travel
        }
        /// Tyre radius, m, FL FR RL RR.
        pub fn tyre_radius(&self) -> [f32; 4] {
            self.raw().tyre_radius
        }
        /// Maximum turbo boost.
        pub fn max_turbo_boost(&self) -> f32 {
            self.raw().max_turbo_boost
        }
        /// Penalties enabled.
        pub fn penalties_enabled(&self) -> bool {
            self.raw().penalties_enabled != 0
        }
        /// Fuel-consumption rate aid.
        pub fn aid_fuel_rate(&self) -> f32 {
            self.raw().aid_fuel_rate
        }
        /// Tyre-wear rate aid.
        pub fn aid_tire_rate(&self) -> f32 {
            self.raw().aid_tire_rate
        }
        /// Mechanical-damage aid.
        pub fn aid_mechanical_damage(&self) -> f32 {
            self.raw().aid_mechanical_damage
        }
        /// Tyre blankets allowed.
        pub fn aid_allow_tyre_blankets(&self) -> bool {
            self.raw().aid_allow_tyre_blankets != 0
        }
        /// Stability aid.
        pub fn aid_stability(&self) -> f32 {
            self.raw().aid_stability
        }
        /// Auto clutch.
        pub fn aid_auto_clutch(&self) -> bool {
            self.raw().aid_auto_clutch != 0
        }
        /// Auto blip.
        pub fn aid_auto_blip(&self) -> bool {
            self.raw().aid_auto_blip != 0
        }
        /// Car has DRS.
        pub fn has_drs(&self) -> bool {
            self.raw().has_drs != 0
        }
        /// Car has ERS.
        pub fn has_ers(&self) -> bool {
            self.raw().has_ers != 0
        }
        /// Car has KERS.
        pub fn has_kers(&self) -> bool {
            self.raw().has_kers != 0
        }
        /// KERS capacity, J.
        pub fn kers_max_j(&self) -> f32 {
            self.raw().kers_max_j
        }
        /// Engine-brake settings.
        pub fn engine_brake_settings_count(&self) -> i32 {
            self.raw().engine_brake_settings_count
        }
        /// ERS power-controller settings.
        pub fn ers_power_controller_count(&self) -> i32 {
            self.raw().ers_power_controller_count
        }
        /// Track spline length, m.
        pub fn track_spline_length(&self) -> f32 {
            self.raw().track_spline_length
        }
        /// ERS capacity, J.
        pub fn ers_max_j(&self) -> f32 {
            self.raw().ers_max_j
        }
        /// Timed race.
        pub fn is_timed_race(&self) -> bool {
            self.raw().is_timed_race != 0
        }
        /// Extra lap after time runs out.
        pub fn has_extra_lap(&self) -> bool {
            self.raw().has_extra_lap != 0
        }
        /// Reversed grid positions.
        pub fn reversed_grid_positions(&self) -> i32 {
            self.raw().reversed_grid_positions
        }
        /// Pit window start.
        pub fn pit_window_start(&self) -> i32 {
            self.raw().pit_window_start
        }
        /// Pit window end.
        pub fn pit_window_end(&self) -> i32 {
            self.raw().pit_window_end
        }
    };
}
pub(crate) use static_common_accessors;

impl View<'_, Physics> {
    physics_common_accessors!();

    /// An owned, decoded copy of the page.
    pub fn snapshot(&self) -> PhysicsSnapshot {
        PhysicsSnapshot::from(self.raw())
    }
}

impl View<'_, Graphics> {
    graphics_common_accessors!();

    /// The player's car position in world coordinates, m.
    pub fn car_coordinates(&self) -> [f32; 3] {
        self.raw().car_coordinates
    }

    /// An owned, decoded copy of the page.
    pub fn snapshot(&self) -> GraphicsSnapshot {
        GraphicsSnapshot::from(self.raw())
    }
}

impl View<'_, Static> {
    static_common_accessors!();

    /// An owned, decoded copy of the page.
    pub fn snapshot(&self) -> StaticSnapshot {
        StaticSnapshot::from(self.raw())
    }
}
