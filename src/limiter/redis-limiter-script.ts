// The shared limiter as one Lua script, so every decision is atomic across processes. It mirrors
// pacing-math.ts step for step (same names); keep the two in step. Inlined as a string so the build
// needs no asset copying.
//
// KEYS[1] state hash, KEYS[2] in-flight sorted set (member = slot token, score = expiry ms).
// ARGV[1] op: "acquire" | "observe" | "state"; ARGV[2] now in ms, or "" to read Redis's own TIME
// (tests inject a clock, production never does); ARGV[3] slot token;
// ARGV[4..11] limit, windowMs, safetyMargin, burst, quotaReserve, maxInFlight, slotTtlMs, stateTtlMs;
// observe only: ARGV[12..19] verdict (index in rateLimitVerdicts), userLimit, userRemaining, userReset, orgLimit, orgRemaining,
// orgReset, random ("" = header absent).
// Replies: acquire {0} go | {1, waitMs (ceil), reasonIndex} | {2, remaining, resetsAtMs, reserved};
// observe {0}; state: the hash as a flat list (tests read it).

import { backoffBaseMs, backoffMaxMs } from '../affinity/rate-limit-policy.js';
import { concurrencyPollMs, newPeriodSlackMs } from './pacing-math.js';

export const limiterScript = `
local function num(v)
  if v == nil or v == false or v == '' then return nil end
  return tonumber(v)
end

local stateKey, slotsKey = KEYS[1], KEYS[2]
local op = ARGV[1]
local now = num(ARGV[2])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local token = ARGV[3]
local cfg = {
  limit = tonumber(ARGV[4]), windowMs = tonumber(ARGV[5]), safetyMargin = tonumber(ARGV[6]),
  burst = tonumber(ARGV[7]), quotaReserve = tonumber(ARGV[8]), maxInFlight = tonumber(ARGV[9]),
}
local slotTtlMs, stateTtlMs = tonumber(ARGV[10]), tonumber(ARGV[11])

local fields = { 'limit', 'tat', 'windowEnd', 'windowConfirmed', 'budget', 'pausedUntil', 'cap', 'successes',
  'backoffLevel', 'orgLimit', 'orgRemaining', 'orgResetAt' }
local raw = redis.call('HMGET', stateKey, unpack(fields))
local s = {}
for i, f in ipairs(fields) do s[f] = num(raw[i]) end
s.limit = s.limit or cfg.limit
s.tat = s.tat or 0
s.pausedUntil = s.pausedUntil or 0
s.cap = s.cap or cfg.maxInFlight
s.successes = s.successes or 0
s.backoffLevel = s.backoffLevel or 0
s.windowConfirmed = s.windowConfirmed or 0

-- Slots of crashed processes expire instead of holding the cap forever.
redis.call('ZREMRANGEBYSCORE', slotsKey, '-inf', now)
s.inFlight = redis.call('ZCARD', slotsKey)

if op == 'state' then
  local out = {}
  for _, f in ipairs(fields) do
    if s[f] ~= nil then
      table.insert(out, f)
      table.insert(out, string.format('%.17g', s[f]))
    end
  end
  table.insert(out, 'inFlight')
  table.insert(out, tostring(s.inFlight))
  return out
end

local function save()
  local set, del = {}, {}
  for _, f in ipairs(fields) do
    if s[f] == nil then
      table.insert(del, f)
    else
      table.insert(set, f)
      table.insert(set, string.format('%.17g', s[f]))
    end
  end
  redis.call('HSET', stateKey, unpack(set))
  if #del > 0 then redis.call('HDEL', stateKey, unpack(del)) end
  redis.call('PEXPIRE', stateKey, stateTtlMs)
end

local function emissionInterval()
  return cfg.windowMs / math.max(s.limit * (1 - cfg.safetyMargin), 1e-9)
end

local function reservedCalls()
  if s.orgLimit == nil then return 0 end
  return math.ceil(s.orgLimit * cfg.quotaReserve)
end

local function advance()
  if s.windowEnd ~= nil and now >= s.windowEnd then
    local windows = math.floor((now - s.windowEnd) / cfg.windowMs) + 1
    s.windowEnd = s.windowEnd + windows * cfg.windowMs
    s.windowConfirmed = 0
    if s.budget ~= nil then s.budget = math.max(s.limit - s.inFlight, 0) end
  end
  if s.orgResetAt ~= nil and now >= s.orgResetAt then
    s.orgRemaining = nil
    s.orgResetAt = nil
  end
  s.cap = math.min(math.max(s.cap, 1), cfg.maxInFlight)
end

if op == 'acquire' then
  advance()
  local reserved = reservedCalls()
  if s.orgRemaining ~= nil and s.orgResetAt ~= nil and s.orgRemaining <= reserved then
    save()
    return { 2, math.floor(s.orgRemaining), math.floor(s.orgResetAt), reserved }
  end
  local interval = emissionInterval()
  local tolerance = (cfg.burst - 1) * interval
  local tat = math.max(s.tat, now)
  local waitMs, reason = 0, 0
  if tat - tolerance > now then waitMs = tat - tolerance - now end
  if s.budget ~= nil and s.budget <= 0 and s.windowEnd ~= nil then
    if s.windowEnd - now > waitMs then waitMs, reason = s.windowEnd - now, 1 end
  end
  if s.pausedUntil - now > waitMs then waitMs, reason = s.pausedUntil - now, 2 end
  if waitMs > 0 then
    save()
    return { 1, math.ceil(waitMs), reason }
  end
  if s.inFlight >= s.cap then
    save()
    return { 1, ${concurrencyPollMs}, 3 }
  end
  s.tat = tat + interval
  s.inFlight = s.inFlight + 1
  redis.call('ZADD', slotsKey, now + slotTtlMs, token)
  redis.call('PEXPIRE', slotsKey, slotTtlMs)
  if s.budget ~= nil then s.budget = s.budget - 1 end
  if s.orgRemaining ~= nil then s.orgRemaining = s.orgRemaining - 1 end
  save()
  return { 0 }
end

if op ~= 'observe' then return redis.error_reply('unknown limiter op ' .. tostring(op)) end

-- 0 accepted, 1 window-spent, 2 concurrency, 3 server-error, 4 no-response (rate-limit-policy.ts decides)
local verdict = tonumber(ARGV[12])
local h = {
  userLimit = num(ARGV[13]), userRemaining = num(ARGV[14]), userReset = num(ARGV[15]),
  orgLimit = num(ARGV[16]), orgRemaining = num(ARGV[17]), orgReset = num(ARGV[18]),
}
local random = tonumber(ARGV[19])

redis.call('ZREM', slotsKey, token)
s.inFlight = redis.call('ZCARD', slotsKey)
advance()
local others = s.inFlight
if h.userLimit ~= nil and h.userLimit >= 1 then s.limit = h.userLimit end
local headerEnd = nil
if h.userReset ~= nil then headerEnd = now + h.userReset * 1000 end

if h.userRemaining ~= nil then
  local left = math.max(h.userRemaining - others, 0)
  local half = cfg.windowMs / 2
  if s.windowEnd == nil or s.budget == nil or (headerEnd ~= nil and headerEnd > s.windowEnd + half) then
    s.budget = left
    s.windowEnd = headerEnd or (now + cfg.windowMs)
    s.windowConfirmed = headerEnd ~= nil and 1 or 0
  elseif headerEnd == nil or headerEnd >= s.windowEnd - half then
    s.budget = math.min(s.budget, left)
    if headerEnd ~= nil then
      if s.windowConfirmed == 1 then s.windowEnd = math.min(s.windowEnd, headerEnd) else s.windowEnd = headerEnd end
      s.windowConfirmed = 1
    end
  end
end

if verdict == 2 then
  -- 429s arriving during the pause belong to the burst that started it: they do not escalate.
  if now >= s.pausedUntil then
    s.backoffLevel = s.backoffLevel + 1
    s.cap = math.max(math.floor(s.cap / 2), 1)
    s.successes = 0
    local step = math.min(${backoffBaseMs} * 2 ^ math.min(math.max(s.backoffLevel - 1, 0), 16), ${backoffMaxMs})
    s.pausedUntil = now + step * (0.5 + random / 2)
  end
elseif verdict == 1 then
  do
    local resetMs
    if h.userReset ~= nil then
      resetMs = h.userReset * 1000
    elseif s.windowEnd ~= nil and s.windowEnd > now then
      resetMs = s.windowEnd - now
    else
      resetMs = cfg.windowMs
    end
    local jitter = random * math.min(1000, cfg.windowMs / 10)
    s.pausedUntil = math.max(s.pausedUntil, now + resetMs + jitter)
    s.budget = 0
    s.windowEnd = now + resetMs
    s.windowConfirmed = h.userReset ~= nil and 1 or 0
  end
elseif verdict == 0 then
  s.backoffLevel = 0
  s.successes = s.successes + 1
  if s.successes >= s.cap then
    s.successes = 0
    s.cap = math.min(s.cap + 1, cfg.maxInFlight)
  end
end

if verdict ~= 4 then
  if h.orgRemaining == nil or h.orgReset == nil then
    s.orgLimit, s.orgRemaining, s.orgResetAt = nil, nil, nil
  else
    local left = math.max(h.orgRemaining - others, 0)
    local resetAt = now + h.orgReset * 1000
    s.orgLimit = h.orgLimit
    if s.orgRemaining == nil or s.orgResetAt == nil or resetAt > s.orgResetAt + ${newPeriodSlackMs} then
      s.orgRemaining = left
      s.orgResetAt = resetAt
    else
      s.orgRemaining = math.min(s.orgRemaining, left)
    end
  end
end

save()
return { 0 }
`;
