--[[ Run Wikipedia's Module:Citation/CS1/Date_validation outside MediaWiki.

Usage: lua5.1 oracle.lua DATE_VALIDATION.lua TODAY < cases.tsv > verdicts.tsv

  DATE_VALIDATION.lua  the module's source (not part of citewatch: CC BY-SA, fetch it
                       yourself, see README.md beside this file)
  TODAY                the run date as YYYY-MM-DD (the module's "next year" and
                       "tomorrow" limits are computed from it)
  cases.tsv            lines "param<TAB>value", param one of date, access-date, archive-date

Prints "param<TAB>value<TAB>valid|invalid" for each line.  This file is citewatch's own
(MIT, like the project): a minimal stand-in for the few mw.* functions the module calls,
and the date names of Module:Citation/CS1/Configuration (English Wikipedia).
]]

local module_path, today = arg[1], arg[2]
local TY, TM, TD = today:match('^(%d%d%d%d)%-(%d%d)%-(%d%d)$')
TY, TM, TD = tonumber(TY), tonumber(TM), tonumber(TD)

-- Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
local function days_from_civil(y, m, d)
	if m <= 2 then y = y - 1 end
	local era = math.floor(y / 400)
	local yoe = y - era * 400
	local mp = (m + 9) % 12
	local doy = math.floor((153 * mp + 2) / 5) + d - 1
	local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
	return era * 146097 + doe - 719468
end

-- The module's only use of the real clock: os.date('%Y').
local real_date = os.date
os.date = function(fmt, ...)
	if fmt == '%Y' then return tostring(TY) end
	return real_date(fmt, ...)
end

-- mw.ustring: the module's patterns are ASCII except the en dash; map it to one byte.
local DASH, MARK = '\226\128\147', '\1'
local function to_bytes(s) return (s:gsub(DASH, MARK)) end
local function from_bytes(s)
	if type(s) == 'string' then return (s:gsub(MARK, DASH)) end
	return s
end
local function unpack_map(t, n, i)
	i = i or 1
	if i > n then return end
	return from_bytes(t[i]), unpack_map(t, n, i + 1)
end

mw = {
	ustring = {
		match = function(s, pattern, init)
			local r = {string.match(to_bytes(s), to_bytes(pattern), init)}
			return unpack_map(r, #r)
		end,
		gsub = function(s, pattern, repl, n)
			if type(repl) == 'string' then repl = to_bytes(repl) end
			local out, count = string.gsub(to_bytes(s), to_bytes(pattern), repl, n)
			return from_bytes(out), count
		end,
		len = function(s) return #to_bytes(s) end,
	},
	getContentLanguage = function()
		return {
			formatDate = function(self, fmt, when)
				assert(fmt == 'U', 'only Unix time stamps are supported')
				if when == 'today + 2 days' then
					return tostring((days_from_civil(TY, TM, TD) + 2) * 86400)
				end
				local y, m, d = when:match('^(%d+)%-(%d+)%-(%d+)$')
				if not y then error('unparsable date ' .. when) end
				return tostring(days_from_civil(tonumber(y), tonumber(m), tonumber(d)) * 86400)
			end,
			parseFormattedNumber = function(self, s) return tonumber(s) end,
		}
	end,
}

local function names()
	return {
		long = {January = 1, February = 2, March = 3, April = 4, May = 5, June = 6, July = 7,
			August = 8, September = 9, October = 10, November = 11, December = 12},
		short = {Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8,
			Sep = 9, Oct = 10, Nov = 11, Dec = 12},
		quarter = {['First Quarter'] = 33, ['Second Quarter'] = 34, ['Third Quarter'] = 35,
			['Fourth Quarter'] = 36},
		season = {Winter = 24, Spring = 21, Summer = 22, Fall = 23, Autumn = 23},
		named = {Easter = 98, Christmas = 99},
	}
end

local digits = {}
for i = 0, 9 do digits[tostring(i)] = tostring(i) end
local cfg = {
	date_names = {en = names(), ['local'] = names(), local_digits = digits, xlate_digits = digits,
		inv_local_long = {}, inv_local_short = {}, inv_local_quarter = {},
		inv_local_season = {}, inv_local_named = {}},
	messages = {mismatch = '$1 / $2'},
}

local utilities = {
	is_set = function(v) return v ~= nil and v ~= '' end,
	in_array = function(needle, haystack)
		for _, v in ipairs(haystack) do if v == needle then return true end end
		return false
	end,
	add_prop_cat = function() end,
	set_message = function() end,
	substitute = function(msg, args) return msg end,
	wrap_style = function(key, str) return str end,
}

local validation = dofile(module_path)
validation.set_selected_modules(cfg, utilities)

for line in io.lines() do
	local param, value = line:match('^([^\t]+)\t(.*)$')
	if param then
		local list = {[param] = {val = value, name = param}}
		local errors = {}
		local ok, err = pcall(validation.dates, list, {}, errors)
		local verdict
		if not ok then
			verdict = 'invalid'  -- the module itself raised an error: a script error on the page
			io.stderr:write('module error for ' .. value .. ': ' .. tostring(err) .. '\n')
		elseif #errors == 0 then
			verdict = 'valid'
		else
			verdict = 'invalid'
		end
		io.write(param, '\t', value, '\t', verdict, '\n')
	end
end
